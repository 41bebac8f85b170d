// Package model holds marsad's vocabulary: posts, signals, banks, matches,
// labels, cases, decisions, actions and audit events. It has no behaviour
// beyond validation, so every other package can share it.
package model

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/marsad/marsad/mediameta"
)

// Label is what a post or a network is about. A post can carry several.
type Label string

// The labels. The last three are protective: content carrying them must never
// be actioned as terrorist content.
const (
	Incitement     Label = "incitement"
	Recruitment    Label = "recruitment"
	Financing      Label = "financing"
	Propaganda     Label = "propaganda"
	AttackPlanning Label = "attack_planning"
	NewsReporting  Label = "news_reporting"
	CounterSpeech  Label = "counter_speech"
	None           Label = "none"
)

// Labels lists every label in a stable order.
var Labels = []Label{Incitement, Recruitment, Financing, Propaganda, AttackPlanning, NewsReporting, CounterSpeech, None}

// HarmfulLabels lists the labels that make content actionable.
var HarmfulLabels = []Label{Incitement, Recruitment, Financing, Propaganda, AttackPlanning}

// Valid reports whether l is one of Labels.
func (l Label) Valid() bool { return slices.Contains(Labels, l) }

// Harmful reports whether l is one of HarmfulLabels.
func (l Label) Harmful() bool { return slices.Contains(HarmfulLabels, l) }

// SignalType names the kind of a Signal. Bank entries use the same names.
type SignalType string

// Signal types.
const (
	SignalSHA256 SignalType = "sha256" // hex SHA-256 of a media file
	SignalMD5    SignalType = "md5"    // hex MD5 of a media file
	SignalPDQ    SignalType = "pdq"    // 64 hex chars, PDQ perceptual hash of an image
	SignalURL    SignalType = "url"    // canonical URL
	SignalWallet SignalType = "wallet" // "<chain>:<address>", e.g. "btc:bc1q..."
	// SignalVPDQ is a video's vPDQ hash. Its value is the SHA-256 (64 hex
	// chars) of the frame hashes in ThreatExchange's vPDQ file format; the
	// frame hashes travel beside it (Media.VPDQ, BankEntry.Features).
	SignalVPDQ SignalType = "vpdq"
)

// SignalTypes lists every signal type.
var SignalTypes = []SignalType{SignalSHA256, SignalMD5, SignalPDQ, SignalURL, SignalWallet, SignalVPDQ}

// Valid reports whether t is one of SignalTypes.
func (t SignalType) Valid() bool { return slices.Contains(SignalTypes, t) }

// Post is one item from a source. (Platform, SourceID) identifies it: the
// same pair ingested twice is the same post.
type Post struct {
	ID       int64  `json:"id,omitempty"`
	Platform string `json:"platform"`
	SourceID string `json:"source_id"`
	Author   string `json:"author,omitempty"`
	Channel  string `json:"channel,omitempty"`
	// Signature is the name a channel post is signed with (the admin who
	// posted it, when the channel shows signatures); Author stays the
	// channel.
	Signature string `json:"signature,omitempty"`
	URL       string `json:"url,omitempty"`
	Lang      string `json:"lang,omitempty"`
	Text      string `json:"text,omitempty"`
	// OCRText is the text read on the post's images (OCR), one image's
	// text after another. It is searched and scored like Text.
	OCRText string   `json:"ocr_text,omitempty"`
	Links   []string `json:"links,omitempty"`
	Media   []Media  `json:"media,omitempty"`
	// PostedAt is when the platform says the post was published; zero when
	// the source gave no time. Such a post is stored with PostedAtUnknown
	// set and shown as "unknown", never dated by its ingestion.
	PostedAt time.Time `json:"posted_at,omitzero"`
	// PostedAtUnknown reports that the source gave no publication time.
	PostedAtUnknown bool      `json:"posted_at_unknown,omitempty"`
	IngestedAt      time.Time `json:"ingested_at,omitempty"`
	// Views is the platform's view count when the post was read, if shown.
	Views int64 `json:"views,omitempty"`
	// ReplyTo is the source id, on the same platform, of the post this one
	// answers.
	ReplyTo string `json:"reply_to,omitempty"`
	// ForwardedFrom names the original author or channel of a forward,
	// share or repost, as the platform shows it.
	ForwardedFrom string `json:"forwarded_from,omitempty"`
	// Notice is what the platform said of the post when it was read:
	// withheld in some countries, or a tweet it refers to deleted.
	Notice string `json:"platform_notice,omitempty"`
	// Provenance is set on posts a source collected.
	Provenance *Provenance `json:"provenance,omitempty"`
}

// Provenance says where and when a configured source collected a post.
type Provenance struct {
	Source    int64     `json:"source"`     // the source's id
	FetchedAt time.Time `json:"fetched_at"` // when the page or feed was read
	URL       string    `json:"url"`        // the page or feed the post was read from
}

// Media is one image or video attached to a post.
type Media struct {
	// Path is a local file, relative to the ingest's media directory.
	Path string `json:"path,omitempty"`
	// URL is where the media was published; it is recorded, never fetched.
	URL string `json:"url,omitempty"`
	// Data is the file itself, base64 in JSON, for posts sent over the API.
	// It is moved to the media store at ingest and never kept in the post.
	Data   []byte `json:"data,omitempty"`
	Type   string `json:"type,omitempty"` // image or video
	SHA256 string `json:"sha256,omitempty"`
	MD5    string `json:"md5,omitempty"`
	PDQ    string `json:"pdq,omitempty"`
	// Quality is the PDQ quality (0-100); below the matching threshold the
	// hash is recorded but not matched. -1 means unknown: a sender gave the
	// hash without its quality, and it is matched.
	Quality int `json:"pdq_quality,omitempty"`
	// VPDQ is the vPDQ hash of a video or animated GIF, in
	// ThreatExchange's file format (frame,quality,pdq_hex,seconds a line).
	VPDQ string `json:"vpdq,omitempty"`
	// EXIF is the camera metadata of an image (GPS position, camera,
	// time), read at ingest. Analysts see it; nothing shared outward
	// carries it (see docs/media-metadata.md).
	EXIF  *mediameta.Meta `json:"exif,omitempty"`
	Error string          `json:"error,omitempty"` // why the media could not be read or hashed
	// Missing says why the export holds no file for this media (for
	// example Telegram Desktop's "File not included"): the post had the
	// media, but there is nothing to hash.
	Missing string `json:"missing,omitempty"`
}

// Signal is something computed from a post.
type Signal struct {
	Type  SignalType `json:"type"`
	Value string     `json:"value"`
	// Quality is set for PDQ signals.
	Quality int `json:"quality,omitempty"`
}

// Bank is a named list of known-bad signals with provenance.
type Bank struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Owner       string `json:"owner,omitempty"`
	Enabled     bool   `json:"enabled"`
	// AutoAction reports whether the owner allows action without a human
	// decision on an exact or near match.
	AutoAction bool      `json:"auto_action"`
	CreatedAt  time.Time `json:"created_at"`
	Entries    int64     `json:"entries"`
}

// BankEntry is one known-bad signal in a bank.
type BankEntry struct {
	ID      int64      `json:"id"`
	BankID  int64      `json:"bank_id"`
	Type    SignalType `json:"type"`
	Value   string     `json:"value"`
	Label   Label      `json:"label,omitempty"`
	Source  string     `json:"source,omitempty"`
	AddedAt time.Time  `json:"added_at"`
	// Features holds a vPDQ entry's frame hashes in ThreatExchange's file
	// format; Value is their SHA-256. Empty for other types.
	Features string `json:"features,omitempty"`
}

// Match is a signal that hit a bank entry.
type Match struct {
	Signal     Signal    `json:"signal"`
	Entry      BankEntry `json:"entry"`
	BankName   string    `json:"bank"`
	Distance   int       `json:"distance"`
	AutoAction bool      `json:"auto_action"`
	// Video is set for vPDQ matches: shares of frames matched and where.
	Video *VideoMatch `json:"video,omitempty"`
}

// VideoMatch says how a video matched a banked video under vPDQ's rule.
type VideoMatch struct {
	// QueryPercent is the share of the post's distinct frames that matched
	// a frame of the banked video; BankPercent the share of the banked
	// video's frames that matched.
	QueryPercent float64 `json:"query_percent"`
	BankPercent  float64 `json:"bank_percent"`
	// QuerySpans and BankSpans are where the matching frames are, in each
	// video, in seconds.
	QuerySpans []TimeSpan `json:"query_spans,omitempty"`
	BankSpans  []TimeSpan `json:"bank_spans,omitempty"`
}

// TimeSpan is a stretch of a video, in seconds from its start.
type TimeSpan struct {
	Start float64 `json:"start"`
	End   float64 `json:"end"`
}

// Score is a text classifier's verdict for one label.
type Score struct {
	Label     Label    `json:"label"`
	Score     float64  `json:"score"`
	Threshold float64  `json:"threshold"`
	Model     string   `json:"model"`
	Evidence  []string `json:"evidence,omitempty"` // top contributing n-grams or rule hits
	// Source is ScoreFromImage when the score comes from the text read on
	// the post's images rather than from its text.
	Source string `json:"source,omitempty"`
}

// ScoreFromImage is the Source of a score of the text read on images.
const ScoreFromImage = "image"

// ReasonTextInImage is the Kind of a case reason that comes from the text
// read on the post's images.
const ReasonTextInImage = "text in image"

// CaseState is where a case is in its life.
type CaseState string

// Case states.
const (
	CaseOpen     CaseState = "open"
	CaseDecided  CaseState = "decided"
	CaseActioned CaseState = "actioned"
	CaseAppealed CaseState = "appealed"
	CaseClosed   CaseState = "closed"
)

// CaseKind says what a case is about.
type CaseKind string

// Case kinds.
const (
	CasePost    CaseKind = "post"
	CaseNetwork CaseKind = "network"
)

// Reason says why a case exists: a bank match, a model score or a rule.
// Its fields are what a page shows, in the reader's language; Detail is
// the same in one English sentence, for logs, the CLI and the API.
type Reason struct {
	Kind     string   `json:"kind"` // "match", "score", "rule", "network"
	Label    Label    `json:"label,omitempty"`
	Detail   string   `json:"detail"`
	Score    float64  `json:"score,omitempty"`
	Bank     string   `json:"bank,omitempty"`
	EntryID  int64    `json:"entry_id,omitempty"`
	Distance int      `json:"distance,omitempty"`
	Evidence []string `json:"evidence,omitempty"`
	// Signal is the type of the signal that matched a bank ("pdq",
	// "vpdq", ...), for match reasons.
	Signal SignalType `json:"signal,omitempty"`
	// Video is set for a vPDQ match: shares and matching time spans.
	Video *VideoMatch `json:"video,omitempty"`
	// Model and Threshold are the scorer and the label's threshold the
	// score passed (score, rule).
	Model     string  `json:"model,omitempty"`
	Threshold float64 `json:"threshold,omitempty"`
	// Accounts, Items, MedianDelay (seconds), Density and Flagged describe
	// a network (network); Score is then the network's score.
	Accounts    int     `json:"accounts,omitempty"`
	Items       int     `json:"items,omitempty"`
	MedianDelay float64 `json:"median_delay_seconds,omitempty"`
	Density     float64 `json:"density,omitempty"`
	Flagged     float64 `json:"flagged,omitempty"`
}

// Case is work for a human.
type Case struct {
	ID        int64     `json:"id"`
	Kind      CaseKind  `json:"kind"`
	PostID    int64     `json:"post_id,omitempty"`
	NetworkID int64     `json:"network_id,omitempty"`
	State     CaseState `json:"state"`
	Priority  int       `json:"priority"` // higher first
	Labels    []Label   `json:"labels"`
	Reasons   []Reason  `json:"reasons"`
	Lang      string    `json:"lang,omitempty"`
	Platform  string    `json:"platform,omitempty"`
	ClaimedBy string    `json:"claimed_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Decision is a reviewer's verdict on a case.
type Decision struct {
	ID        int64     `json:"id"`
	CaseID    int64     `json:"case_id"`
	Reviewer  string    `json:"reviewer"`
	Labels    []Label   `json:"labels"`
	Action    string    `json:"action"` // "none", "remove", "refer", "bank"
	Rationale string    `json:"rationale"`
	Appeal    bool      `json:"appeal,omitempty"` // this decision decides an appeal
	CreatedAt time.Time `json:"created_at"`
}

// AuditEvent is an append-only, hash-chained record of who did what when.
type AuditEvent struct {
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	Subject  string    `json:"subject"`
	Detail   string    `json:"detail"`
	PrevHash string    `json:"prev_hash"`
	Hash     string    `json:"hash"`
}

// Network is a group of accounts that shared the same content together,
// found by coordinated co-sharing detection.
type Network struct {
	ID       int64    `json:"id"`
	Accounts []string `json:"accounts"` // "platform:author"
	// Objects are the shared items: canonical URLs, media hashes, hashtag
	// sequences, near-duplicate texts.
	Objects []NetworkObject `json:"objects"`
	Edges   []NetworkEdge   `json:"edges"`
	// Density is edges over possible edges; MedianDelay the median time
	// between co-shares; Flagged the fraction of the network's posts that
	// matched a bank or scored over a threshold.
	Density     float64   `json:"density"`
	MedianDelay float64   `json:"median_delay_seconds"`
	Flagged     float64   `json:"flagged"`
	Score       float64   `json:"score"`
	FirstSeen   time.Time `json:"first_seen"`
	LastSeen    time.Time `json:"last_seen"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// NetworkObject is one item a network shared.
type NetworkObject struct {
	Type   string  `json:"type"`
	Value  string  `json:"value"`
	Shares int     `json:"shares"`
	Posts  []int64 `json:"posts,omitempty"`
}

// NetworkEdge links two accounts by how often they co-shared.
type NetworkEdge struct {
	A      string `json:"a"`
	B      string `json:"b"`
	Weight int    `json:"weight"`
	// Types splits Weight by object type ("url", "phash", "text", ...):
	// which kinds of content tied the two accounts. Empty for networks
	// stored before it was recorded.
	Types map[string]int `json:"types,omitempty"`
}

// NetworkPlatforms lists the platforms of a network's accounts
// ("platform:author"), sorted and joined by commas: the platform of a
// network case, which spans every platform its accounts post on.
func NetworkPlatforms(accounts []string) string {
	seen := map[string]bool{}
	var out []string
	for _, a := range accounts {
		p, _, ok := strings.Cut(a, ":")
		if !ok || p == "" || seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// Source is one configured place posts are collected from (internal/source).
type Source struct {
	ID     int64           `json:"id"`
	Kind   string          `json:"kind"`
	Name   string          `json:"name"`
	Config json.RawMessage `json:"config"`
	// Interval is the time between two polls of a Poller.
	Interval time.Duration `json:"interval"`
	Paused   bool          `json:"paused"`
	// Cursor is the collector's own position, opaque to everything else.
	Cursor string       `json:"cursor,omitempty"`
	Health SourceHealth `json:"health"`
}

// SourceHealth is what a source's last runs did.
type SourceHealth struct {
	LastSuccess time.Time `json:"last_success,omitempty"`
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitempty"`
	// Failures counts errors since the last success; it sets the back-off.
	Failures int `json:"failures"`
	// PostsToday counts new posts stored on Day (UTC, YYYY-MM-DD);
	// PostsTotal since the source was added.
	Day        string `json:"day,omitempty"`
	PostsToday int64  `json:"posts_today"`
	PostsTotal int64  `json:"posts_total"`
	// Skipped counts, by reason, the items the source passed over
	// without storing a post, since it was added.
	Skipped map[string]int64 `json:"skipped,omitempty"`
}

// SkippedTotal is the number of items skipped for any reason.
func (h SourceHealth) SkippedTotal() int64 {
	var n int64
	for _, c := range h.Skipped {
		n += c
	}
	return n
}
