package telegram

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestReadChannelExport(t *testing.T) {
	f, err := os.Open("testdata/channel/result.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ex, err := Read(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.Errors) != 0 || ex.Skipped != 1 || ex.NotIncluded != 1 || len(ex.Posts) != 6 {
		t.Fatalf("messages %d, skipped %d, not included %d, errors %v", len(ex.Posts), ex.Skipped, ex.NotIncluded, ex.Errors)
	}
	m := ex.Posts
	first := m[0]
	if first.SourceID != "1700000001/2" || first.Author != "channel1700000001" || first.Channel != "Nashra Test Channel" ||
		first.URL != "https://t.me/c/1700000001/2" || !first.PostedAt.Equal(time.Unix(1738577700, 0)) {
		t.Errorf("first post = %+v", first)
	}
	if want := "بيان جديد عن الاجتماع، التفاصيل هنا: https://example.org/bayan/12 والمصدر"; first.Text != want {
		t.Errorf("text = %q, want %q", first.Text, want)
	}
	if want := []string{"https://example.org/bayan/12", "https://example.net/source?id=4"}; !slices.Equal(first.Links, want) {
		t.Errorf("links = %q, want %q", first.Links, want)
	}
	if len(first.Media) != 1 || first.Media[0].Path != "photos/photo_1@03-02-2025_10-15-00.jpg" || first.Media[0].Type != "image" {
		t.Errorf("media = %+v", first.Media)
	}
	if first.ReplyTo != "" || first.ForwardedFrom != "" {
		t.Errorf("an original message has reply to %q, forwarded from %q", first.ReplyTo, first.ForwardedFrom)
	}
	if m[1].ReplyTo != "1700000001/2" {
		t.Errorf("reply to = %q", m[1].ReplyTo)
	}
	if m[2].ForwardedFrom != "Canal Exemple FR" || m[2].Text != "Communiqué : la réunion aura lieu vendredi. #annonce" {
		t.Errorf("forward = %+v %q", m[2], m[2].Text)
	}
	if len(m[3].Media) != 1 || m[3].Media[0].Path != "files/bulletin.pdf" {
		t.Errorf("document media = %+v", m[3].Media)
	}
	if len(m[4].Media) != 1 || m[4].Media[0].Path != "" || m[4].Media[0].Type != "video" ||
		m[4].Media[0].Missing != "File not included. Change data exporting settings to download." {
		t.Errorf("a file not included is not kept as missing media: %+v", m[4].Media)
	}
	if m[5].Author != "user5550001" || !m[5].PostedAt.Equal(time.Date(2025, 2, 6, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("old-style date or author: %+v", m[5])
	}
}

// TestRead2021Export: exports from Telegram Desktop 2.x (2021) give
// from_id as a bare number and only the local date; channel posts carry
// their admin's signature in "author"; files left out are kept as missing.
func TestRead2021Export(t *testing.T) {
	f, err := os.Open("testdata/channel2021/result.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ex, err := Read(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.Errors) != 0 || ex.Skipped != 1 || ex.NotIncluded != 2 || len(ex.Posts) != 4 || ex.Cut != nil {
		t.Fatalf("posts %d, skipped %d, not included %d, errors %v", len(ex.Posts), ex.Skipped, ex.NotIncluded, ex.Errors)
	}
	m := ex.Posts
	if m[0].SourceID != "1300000002/10" || m[0].Author != "channel1300000002" || m[0].Signature != "Abu Test" ||
		!m[0].PostedAt.Equal(time.Date(2021, 3, 2, 10, 11, 12, 0, time.UTC)) {
		t.Errorf("signed post = %+v", m[0])
	}
	if m[3].Signature != "" || m[3].ForwardedFrom != "Someone Else" {
		t.Errorf("unsigned post = %+v", m[3])
	}
	if len(m[1].Media) != 1 || m[1].Media[0].Type != "image" || !strings.HasPrefix(m[1].Media[0].Missing, "File not included") {
		t.Errorf("photo not included: %+v", m[1].Media)
	}
	if len(m[2].Media) != 1 || m[2].Media[0].Type != "video" || !strings.HasPrefix(m[2].Media[0].Missing, "File exceeds maximum size") ||
		!slices.Equal(m[2].Links, []string{"https://example.org/v/13"}) {
		t.Errorf("video too large: %+v, links %q", m[2].Media, m[2].Links)
	}
	// A group member's bare number is a user.
	ex, err = Read(strings.NewReader(`{"name":"G","type":"private_supergroup","id":42,"messages":[{"id":1,"type":"message","date":"2021-01-01T00:00:00","from":"A","from_id":5550001,"text":"hi"}]}`))
	if err != nil || len(ex.Posts) != 1 || ex.Posts[0].Author != "user5550001" {
		t.Fatalf("group member: %v %+v", err, ex)
	}
}

// TestReadCutExport: a result.json cut short keeps every message before
// the cut and says where the file stopped.
func TestReadCutExport(t *testing.T) {
	b, err := os.ReadFile("testdata/channel2021/result.json")
	if err != nil {
		t.Fatal(err)
	}
	cut := strings.Index(string(b), `"duration_seconds"`) // inside message 13
	ex, err := Read(strings.NewReader(string(b[:cut])))
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.Posts) != 2 || ex.Posts[0].SourceID != "1300000002/10" || ex.Posts[1].SourceID != "1300000002/11" || ex.Skipped != 1 {
		t.Fatalf("kept %+v, skipped %d", ex.Posts, ex.Skipped)
	}
	if ex.Cut == nil || len(ex.Errors) != 1 || ex.Errors[0] != ex.Cut {
		t.Fatalf("cut not reported: %+v", ex.Errors)
	}
	for _, want := range []string{"the 3 messages before it were read", "chat 1300000002 message 12", "the rest is lost", "cut short", fmt.Sprintf("line 46, column 4 (byte %d)", cut)} {
		if !strings.Contains(ex.Cut.Error(), want) {
			t.Errorf("cut = %q, want %q in it", ex.Cut, want)
		}
	}
	// Garbage from some point on is a cut too, placed by line and column.
	ex, err = Read(strings.NewReader("{\"id\":7,\"type\":\"public_channel\",\"messages\":[\n{\"id\":1,\"type\":\"message\",\"date_unixtime\":\"1\",\"text\":\"kept\"},\n{\"id\":2,,}]}"))
	if err != nil || len(ex.Posts) != 1 || ex.Cut == nil || ex.Cut.Where != "line 3, column 9 (byte 114)" {
		t.Fatalf("err %v, posts %d, cut %v", err, len(ex.Posts), ex.Cut)
	}
}

func TestReadAccountExport(t *testing.T) {
	in := `{"about":"x","chats":{"about":"y","list":[
 {"name":"G1","type":"private_supergroup","id":42,"messages":[{"id":1,"type":"message","date_unixtime":"1700000000","from":"A","from_id":"user1","text":"salut"}]},
 {"name":"G2","type":"private_group","id":43,"messages":[{"id":1,"type":"message","date_unixtime":"1700000001","from":"B","from_id":"user2","text":"مرحبا"}]}]}}`
	ex, err := Read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.Posts) != 2 || ex.Posts[0].SourceID != "42/1" || ex.Posts[1].SourceID != "43/1" || ex.Posts[1].URL != "" {
		t.Fatalf("%+v", ex.Posts)
	}
}

// TestReadBadInput: a file that is not an export fails as a whole with
// its line and column; a bad message is reported by id and field while
// the others are kept.
func TestReadBadInput(t *testing.T) {
	const good = `{"id":9,"type":"message","date_unixtime":"1700000000","text":"kept"}`
	for _, tc := range []struct {
		name, in, want string
	}{
		{"malformed", "{\n \"name\": \"c\",\n \"messages\": [\n  {\"id\": 1,,}\n ]\n}", "malformed JSON at line 4, column 12"},
		{"truncated", `{"name":"c","id":1,"messages":[{"id":1`, "malformed JSON"},
		{"html export", `<!DOCTYPE html><html>`, "malformed JSON at line 1"},
		{"unknown shape", `{"tweets":[]}`, `not a Telegram Desktop export`},
		{"wrong type", "{\"id\":1,\n\"messages\":{}}", "line 2, column 13: messages: want an array, got JSON object"},
		{"no chat id", `{"name":"c","messages":[]}`, "chat 1: id: required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name, msg, want string
	}{
		{"dotdot photo", `{"id":1,"type":"message","date_unixtime":"1","photo":"../../etc/passwd"}`, `chat 7 message 1: photo: ../../etc/passwd: ".." is not accepted`},
		{"absolute file", `{"id":1,"type":"message","date_unixtime":"1","file":"/etc/passwd"}`, "chat 7 message 1: file: /etc/passwd: absolute paths are not accepted"},
		{"backslash escape", `{"id":1,"type":"message","date_unixtime":"1","file":"files\\..\\..\\x"}`, `".." is not accepted`},
		{"bad date", `{"id":1,"type":"message","date":"yesterday"}`, `chat 7 message 1: date: "yesterday" is not a time`},
		{"bad unixtime", `{"id":1,"type":"message","date_unixtime":"soon"}`, "date_unixtime"},
		{"no id", `{"type":"message","date_unixtime":"1"}`, "chat 7 message[0]: id: required"},
		{"unknown type", `{"id":1,"type":"poll","date_unixtime":"1"}`, `type: unknown message type "poll"`},
		{"bad entity", `{"id":1,"type":"message","date_unixtime":"1","text":["a",5]}`, "text[1]: want a string or an entity"},
		{"bad text", `{"id":1,"type":"message","date_unixtime":"1","text":{"x":1}}`, "text: want a string or an array"},
		{"id a string", `{"id":"1","type":"message","date_unixtime":"1"}`, "chat 7 message[0]: id: want a number, got JSON string"},
		{"from_id a boolean", `{"id":1,"type":"message","date_unixtime":"1","from_id":true}`, "chat 7 message 1: from_id: want a string such as user123 or a number"},
		{"reply a string", `{"id":1,"type":"message","date_unixtime":"1","reply_to_message_id":"x"}`, "chat 7 message 1: reply_to_message_id: want a number, got JSON string"},
		{"message not an object", `"hello"`, "chat 7 message[0]: want an object, got JSON string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ex, err := Read(strings.NewReader(`{"name":"c","type":"public_channel","id":7,"messages":[` + tc.msg + `,` + good + `]}`))
			if err != nil {
				t.Fatal(err)
			}
			if len(ex.Errors) != 1 || !strings.Contains(ex.Errors[0].Error(), tc.want) {
				t.Fatalf("errors = %v, want one with %q", ex.Errors, tc.want)
			}
			if len(ex.Posts) != 1 || ex.Posts[0].Text != "kept" {
				t.Fatalf("the good message was not kept: %+v", ex.Posts)
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	b, _ := os.ReadFile("testdata/channel/result.json")
	f.Add(string(b))
	f.Add(`{"id":1,"messages":[{"id":1,"type":"message","text":["a",{"type":"link","text":"u"}]}]}`)
	b, _ = os.ReadFile("testdata/channel2021/result.json")
	f.Add(string(b))
	f.Add(string(b[:len(b)/2]))
	f.Fuzz(func(t *testing.T, in string) {
		ex, err := Read(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, m := range ex.Posts {
			for _, md := range m.Media {
				if checkPath(md.Path) != nil {
					t.Fatalf("unsafe path kept: %q", md.Path)
				}
			}
		}
	})
}
