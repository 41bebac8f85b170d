// Package evidence preserves a post and its media before anything is done
// about it, and exports what it kept as a bundle signed with an Ed25519
// key, so a court or a partner can check that nothing was changed since.
//
// A bundle is a zip archive:
//
//	manifest.json   what was kept: case, post, source, time, who, and the
//	                SHA-256 and size of every other file in the archive
//	manifest.sig    the Ed25519 signature of manifest.json, base64
//	post.json       the post, its signals, matches, scores and case
//	media/N-NAME    each locally stored media file of the post, as received
//	shared/N-NAME   the same file without its metadata (EXIF, XMP, IPTC,
//	                comments), for a JPEG or PNG that carried some: the
//	                copy to share; see docs/media-metadata.md
package evidence

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/mediameta"
)

// Format names the bundle format in the manifest.
const Format = "marsad-evidence/1"

// MaxMediaBytes bounds one preserved media file.
const MaxMediaBytes = 256 << 20

// Manifest describes a bundle.
type Manifest struct {
	Format     string    `json:"format"`
	CaseID     int64     `json:"case_id"`
	PostID     int64     `json:"post_id"`
	Platform   string    `json:"platform"`
	SourceID   string    `json:"source_id"`
	URL        string    `json:"url,omitempty"`
	CapturedAt time.Time `json:"captured_at"`
	CapturedBy string    `json:"captured_by"`
	// PublicKey is the hex Ed25519 key that signed the manifest.
	PublicKey string `json:"public_key"`
	Files     []File `json:"files"`
}

// File is one file of a bundle.
type File struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Record is what post.json holds.
type Record struct {
	Post    *model.Post    `json:"post"`
	Signals []model.Signal `json:"signals"`
	Matches []model.Match  `json:"matches"`
	Scores  []model.Score  `json:"scores"`
	Case    *model.Case    `json:"case,omitempty"`
	// MediaErrors says which media files could not be preserved and why.
	MediaErrors map[string]string `json:"media_errors,omitempty"`
}

// Keeper preserves evidence into the store and signs bundles.
type Keeper struct {
	st    *store.Store
	media Media
	key   ed25519.PrivateKey
}

// NewKeeper returns a Keeper that reads media through media and signs
// with key.
func NewKeeper(st *store.Store, media Media, key ed25519.PrivateKey) *Keeper {
	return &Keeper{st: st, media: media, key: key}
}

// PublicKey returns the key bundles are signed with.
func (k *Keeper) PublicKey() ed25519.PublicKey { return k.key.Public().(ed25519.PublicKey) }

// Preserve copies a case's post, its analysis and its local media into the
// store and returns the evidence record. A media file that cannot be read
// is named in post.json with the reason; it does not stop preservation.
func (k *Keeper) Preserve(ctx context.Context, caseID int64, actor string) (*store.Evidence, error) {
	c, err := k.st.Case(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("preserve: %w", err)
	}
	if c.PostID == 0 {
		return nil, fmt.Errorf("preserve: case %d has no post", caseID)
	}
	p, err := k.st.Post(ctx, c.PostID)
	if err != nil {
		return nil, fmt.Errorf("preserve: %w", err)
	}
	rec := Record{Post: p, Case: c}
	if rec.Signals, err = k.st.Signals(ctx, p.ID); err != nil {
		return nil, fmt.Errorf("preserve post %d: signals: %w", p.ID, err)
	}
	if rec.Matches, err = k.st.PostMatches(ctx, p.ID); err != nil {
		return nil, fmt.Errorf("preserve post %d: matches: %w", p.ID, err)
	}
	if rec.Scores, err = k.st.Scores(ctx, p.ID); err != nil {
		return nil, fmt.Errorf("preserve post %d: scores: %w", p.ID, err)
	}
	var files []store.EvidenceFile
	for i, m := range p.Media {
		if m.Path == "" && m.SHA256 == "" {
			continue // only published elsewhere: its URL is in post.json
		}
		base := m.SHA256
		if m.Path != "" {
			base = path.Base(m.Path)
		}
		name := fmt.Sprintf("media/%d-%s", i, safeName(base))
		data, err := k.media.read(m)
		if err != nil {
			if rec.MediaErrors == nil {
				rec.MediaErrors = map[string]string{}
			}
			rec.MediaErrors[fmt.Sprintf("media[%d]", i)] = err.Error()
			continue
		}
		files = append(files, fileOf(name, data))
		// The original stays byte-exact for a court; beside it goes a copy
		// without camera metadata (GPS position, device), the one to hand
		// to a platform or partner. Same pixels, no re-encoding.
		if clean, changed, err := mediameta.Strip(data); err == nil && changed {
			files = append(files, fileOf(fmt.Sprintf("shared/%d-%s", i, safeName(base)), clean))
		}
	}
	body, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("preserve post %d: %w", p.ID, err)
	}
	files = append(files, fileOf("post.json", body))
	// The store lists files by name; the manifest must list them the same way.
	slices.SortFunc(files, func(a, b store.EvidenceFile) int { return strings.Compare(a.Name, b.Name) })
	ev := &store.Evidence{CaseID: caseID, PostID: p.ID, CapturedBy: actor, CapturedAt: time.Now().UTC().Truncate(time.Microsecond),
		Platform: p.Platform, SourceID: p.SourceID, URL: p.URL, Files: files}
	man, err := k.manifest(ev)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(man)
	ev.ManifestSHA256 = hex.EncodeToString(sum[:])
	if err := k.st.SaveEvidence(ctx, ev); err != nil {
		return nil, err
	}
	return ev, nil
}

// safeName keeps a file name to characters every archive tool accepts.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, s)
	if s == "" || s == "." || s == ".." {
		s = "file"
	}
	return s
}

func fileOf(name string, data []byte) store.EvidenceFile {
	sum := sha256.Sum256(data)
	return store.EvidenceFile{Name: name, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), Data: data}
}

// manifest renders the manifest of ev; the same record always gives the
// same bytes, so the stored hash can be checked at export.
func (k *Keeper) manifest(ev *store.Evidence) ([]byte, error) {
	m := Manifest{Format: Format, CaseID: ev.CaseID, PostID: ev.PostID, Platform: ev.Platform, SourceID: ev.SourceID, URL: ev.URL,
		CapturedAt: ev.CapturedAt.UTC(), CapturedBy: ev.CapturedBy, PublicKey: hex.EncodeToString(k.PublicKey())}
	for _, f := range ev.Files {
		m.Files = append(m.Files, File{Path: f.Name, SHA256: f.SHA256, Size: f.Size})
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("evidence manifest: %w", err)
	}
	return append(b, '\n'), nil
}

// Purge deletes the files of evidence older than retention (except that on
// legal hold) and returns how many records it purged.
func (k *Keeper) Purge(ctx context.Context, retention time.Duration, actor string) (int, error) {
	if retention <= 0 {
		return 0, fmt.Errorf("evidence purge: retention must be positive, not %s", retention)
	}
	return k.st.PurgeEvidence(ctx, time.Now().Add(-retention), actor)
}

// SettingRetentionDays is the setting holding the retention period in days.
const SettingRetentionDays = "evidence.retention_days"

// DefaultRetention applies when the setting is not set: two years.
const DefaultRetention = 730 * 24 * time.Hour

// Retention returns the configured retention period.
func Retention(ctx context.Context, st *store.Store) (time.Duration, error) {
	v, ok, err := st.Setting(ctx, SettingRetentionDays)
	if err != nil || !ok {
		return DefaultRetention, err
	}
	var days int
	if _, err := fmt.Sscanf(v, "%d", &days); err != nil || days <= 0 {
		return 0, fmt.Errorf("setting %s: %q is not a positive number of days", SettingRetentionDays, v)
	}
	return time.Duration(days) * 24 * time.Hour, nil
}
