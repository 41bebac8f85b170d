package facebook

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func readFile(t *testing.T, name, platform string) *Posts {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps, err := Read(f, platform)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestReadFacebookCSV(t *testing.T) {
	ps := readFile(t, "testdata/page_posts.csv", Facebook)
	if len(ps.Errors) != 0 || len(ps.Posts) != 4 {
		t.Fatalf("posts %d, errors %v", len(ps.Posts), ps.Errors)
	}
	photo, link, video, share := ps.Posts[0], ps.Posts[1], ps.Posts[2], ps.Posts[3]
	if photo.Platform != "facebook" || photo.SourceID != "100000000000001_5000000000000001" || photo.Author != "testnashra" || photo.Channel != "صفحة النشرة التجريبية" ||
		!photo.PostedAt.Equal(time.Date(2025, 2, 3, 10, 15, 0, 0, time.UTC)) || photo.URL != "https://www.facebook.com/testnashra/posts/5000000000000001" {
		t.Errorf("photo post = %+v", photo)
	}
	if want := "بيان جديد عن التجمع يوم الجمعة، انشروا الصورة\n\nموعدنا الجمعة"; photo.Text != want {
		t.Errorf("text with image text = %q, want %q", photo.Text, want)
	}
	if len(photo.Media) != 1 || photo.Media[0].Type != "image" || photo.Media[0].URL != "https://www.facebook.com/photo.php?fbid=5000000000000002" || photo.Media[0].Path != "" || len(photo.Links) != 0 {
		t.Errorf("photo media %+v, links %q", photo.Media, photo.Links)
	}
	if !slices.Equal(link.Links, []string{"https://bit.example/abc", "https://example.org/statement/7"}) || len(link.Media) != 0 ||
		link.Text != "Read the full statement, then share it.\n\nStatement of the group, second part" {
		t.Errorf("link post = %+v", link)
	}
	if video.Author != "100000000000003" || video.SourceID != "100000000000003_5000000000000020" || len(video.Media) != 1 || video.Media[0].Type != "video" ||
		video.Text != "Vidéo de la réunion, avec\nles détails, et le lieu" || !video.PostedAt.Equal(time.Date(2025, 2, 4, 8, 30, 0, 0, time.UTC)) {
		t.Errorf("video post = %+v", video)
	}
	if share.SourceID != "100000000000002_5000000000000030" || share.ForwardedFrom != "testnashra" || !share.PostedAt.Equal(time.Date(2025, 2, 5, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("shared post = %+v", share)
	}
	for _, p := range ps.Posts[:3] {
		if p.ForwardedFrom != "" || p.ReplyTo != "" {
			t.Errorf("%s: forwarded from %q, reply to %q", p.SourceID, p.ForwardedFrom, p.ReplyTo)
		}
	}
}

// TestReadFacebookCSVBadRows: each bad row is named by its line and the
// column of the bad cell; the good rows around them are kept.
func TestReadFacebookCSVBadRows(t *testing.T) {
	ps := readFile(t, "testdata/page_posts_bad.csv", Facebook)
	if len(ps.Posts) != 2 || ps.Posts[0].SourceID != "100000000000001_5000000000000001" || ps.Posts[1].SourceID != "100000000000002_5000000000000010" {
		t.Errorf("kept %d posts: %+v", len(ps.Posts), ps.Posts)
	}
	want := []string{
		`line 3, column 73: Post Created: "yesterday" is not a time`,
		`line 4, column 117: URL: required`,
		`line 5, column 117: URL: "https://www.facebook.com/testrelay/" has no post number`,
		`line 6, column 1: wrong number of fields`,
		`line 7, column 21: bare " in non-quoted-field`,
	}
	if len(ps.Errors) != len(want) {
		t.Fatalf("errors = %v", ps.Errors)
	}
	for i, w := range want {
		if got := ps.Errors[i].Error(); !strings.HasPrefix(got, w) {
			t.Errorf("error %d = %q, want %q…", i, got, w)
		}
	}
}

// TestReadCSVOtherZones: an export in a zone outside the usual few (BRT,
// an IANA name) is read row by row; only a time that cannot be read is
// refused, alone.
func TestReadCSVOtherZones(t *testing.T) {
	ps := readFile(t, "testdata/page_posts_brt.csv", Facebook)
	if len(ps.Posts) != 2 || len(ps.Errors) != 1 || !strings.Contains(ps.Errors[0].Error(), `line 4, column 76: Post Created: "2021-03-04 25:99:00 BRT"`) {
		t.Fatalf("posts %d, errors %v", len(ps.Posts), ps.Errors)
	}
	if got := ps.Posts[0].PostedAt; !got.Equal(time.Date(2021, 3, 2, 13, 11, 12, 0, time.UTC)) {
		t.Errorf("BRT time = %v", got)
	}
	if got := ps.Posts[1].PostedAt; !got.Equal(time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("America/Sao_Paulo time = %v", got)
	}
}

func TestReadInstagramCSV(t *testing.T) {
	ps := readFile(t, "testdata/account_posts.csv", Instagram)
	if len(ps.Posts) != 2 || len(ps.Errors) != 1 || !strings.HasPrefix(ps.Errors[0].Error(), `line 4, column 70: URL: "https://www.instagram.com/test_account/" has no post code`) {
		t.Fatalf("posts %d, errors %v", len(ps.Posts), ps.Errors)
	}
	a, b := ps.Posts[0], ps.Posts[1]
	if a.Platform != "instagram" || a.SourceID != "TeStCoDe01" || a.Author != "test_hisab" || a.Channel != "حساب الاختبار" ||
		a.Text != "انضموا إلينا، الرابط في الوصف\n\nانضموا" || len(a.Media) != 1 || a.Media[0].URL != "https://scontent.cdninstagram.example/v/t51/test01.jpg" || a.Media[0].Type != "image" {
		t.Errorf("photo post = %+v", a)
	}
	if b.SourceID != "TeStCoDe02" || len(b.Media) != 1 || b.Media[0].Type != "video" || !b.PostedAt.Equal(time.Date(2025, 3, 2, 17, 45, 0, 0, time.UTC)) {
		t.Errorf("reel = %+v", b)
	}
}

func TestReadContentLibraryJSON(t *testing.T) {
	ps := readFile(t, "testdata/content_library.json", Facebook)
	if len(ps.Posts) != 2 {
		t.Fatalf("posts = %+v", ps.Posts)
	}
	want := []string{`line 23, column 5: id: required`, `line 28, column 5: creation_time: "last week" is not a time`}
	if len(ps.Errors) != len(want) {
		t.Fatalf("errors = %v", ps.Errors)
	}
	for i, w := range want {
		if !strings.HasPrefix(ps.Errors[i].Error(), w) {
			t.Errorf("error %d = %q, want %q…", i, ps.Errors[i], w)
		}
	}
	a, b := ps.Posts[0], ps.Posts[1]
	// The same post as in page_posts.csv, under the same id.
	if a.SourceID != "100000000000001_5000000000000001" || a.Author != "testnashra" || a.Lang != "ar" || !a.PostedAt.Equal(time.Date(2025, 2, 3, 10, 15, 0, 0, time.UTC)) ||
		len(a.Media) != 1 || a.Media[0].URL != "https://scontent.xx.fbcdn.example/v/t39/test_photo.jpg" {
		t.Errorf("first = %+v", a)
	}
	if b.Author != "100000000000004" || b.Channel != "Relais Test" || b.ForwardedFrom != "100000000000001" || !b.PostedAt.Equal(time.Unix(1738836000, 0)) ||
		!slices.Equal(b.Links, []string{"https://example.fr/communique/3"}) || len(b.Media) != 1 || b.Media[0].Type != "video" {
		t.Errorf("share = %+v", b)
	}
}

func TestReadInstagramJSONLines(t *testing.T) {
	ps := readFile(t, "testdata/instagram_posts.jsonl", Instagram)
	if len(ps.Errors) != 0 || len(ps.Posts) != 2 {
		t.Fatalf("posts %d, errors %v", len(ps.Posts), ps.Errors)
	}
	if p := ps.Posts[1]; p.SourceID != "17900000000000002" || p.Author != "test_account" || p.URL != "https://www.instagram.com/reel/TeStCoDe02/" || p.Media[0].Type != "video" {
		t.Errorf("second = %+v", p)
	}
}

// TestReadRefused: a file that is not such an export is refused as a
// whole, saying why and where.
func TestReadRefused(t *testing.T) {
	fbHeader := "Page Name,User Name,Facebook Id,Post Created,Type,Message,URL\n"
	for _, tc := range []struct{ name, platform, in, want string }{
		{"empty", Facebook, "  \n", "empty file"},
		{"no Post Created", Facebook, "Page Name,URL\nA,https://www.facebook.com/a/posts/1\n", `no "Post Created" column (line 1)`},
		{"instagram file as facebook", Facebook, "Account,User Name,Post Created,URL\n", "use marsad import instagram"},
		{"facebook file as instagram", Instagram, fbHeader, "use marsad import facebook"},
		{"bad header quote", Facebook, "\"Page Name,URL\n", "malformed CSV at line 1"},
		{"broken JSON", Facebook, "[\n {\"id\": \"1\",\n  \"text\": }\n]", "malformed JSON at line 3, column 11"},
		{"JSON not posts", Facebook, `{"posts": []}`, `no "id" and no "data"`},
		{"JSON data not a list", Facebook, `{"data": "x"}`, "want an object or an array"},
		{"platform", "myspace", fbHeader, `unknown platform "myspace"`},
	} {
		_, err := Read(strings.NewReader(tc.in), tc.platform)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"2025-02-03 05:15:00 EST", time.Date(2025, 2, 3, 10, 15, 0, 0, time.UTC)},
		{"2025-07-03 05:15:00 EDT", time.Date(2025, 7, 3, 9, 15, 0, 0, time.UTC)},
		{"2025-02-03 05:15:00 utc", time.Date(2025, 2, 3, 5, 15, 0, 0, time.UTC)},
		{"2025-02-03T10:15:00+0000", time.Date(2025, 2, 3, 10, 15, 0, 0, time.UTC)},
		{"2025-02-03T11:15:00+01:00", time.Date(2025, 2, 3, 10, 15, 0, 0, time.UTC)},
		{"2025-02-03 10:15:00", time.Date(2025, 2, 3, 10, 15, 0, 0, time.UTC)},
		{"2025-02-03 10:15:00 XYZ", time.Time{}},
		{"2021-03-02 10:11:12 BRT", time.Date(2021, 3, 2, 13, 11, 12, 0, time.UTC)},
		{"2021-03-02 10:11:12 ART", time.Date(2021, 3, 2, 13, 11, 12, 0, time.UTC)},
		{"2021-03-02 10:11:12 IST", time.Date(2021, 3, 2, 4, 41, 12, 0, time.UTC)},
		{"2021-03-02 10:11:12 PKT", time.Date(2021, 3, 2, 5, 11, 12, 0, time.UTC)},
		{"2021-03-02 10:11:12 WIB", time.Date(2021, 3, 2, 3, 11, 12, 0, time.UTC)},
		{"2021-03-02 10:11:12 EAT", time.Date(2021, 3, 2, 7, 11, 12, 0, time.UTC)},
		{"2021-03-02 10:11:12 CAT", time.Date(2021, 3, 2, 8, 11, 12, 0, time.UTC)},
		{"2021-03-02 10:11:12 WAT", time.Date(2021, 3, 2, 9, 11, 12, 0, time.UTC)},
		{"2021-03-02 10:11:12 GST", time.Date(2021, 3, 2, 6, 11, 12, 0, time.UTC)},
		{"2021-03-02 10:11:12 MSK", time.Date(2021, 3, 2, 7, 11, 12, 0, time.UTC)},
		{"2021-03-02 10:11:12 TRT", time.Date(2021, 3, 2, 7, 11, 12, 0, time.UTC)},
		{"2021-03-02 10:11:12 JST", time.Date(2021, 3, 2, 1, 11, 12, 0, time.UTC)},
		{"2021-03-02 10:11:12 KST", time.Date(2021, 3, 2, 1, 11, 12, 0, time.UTC)},
		{"2021-03-02 10:11:12 AEST", time.Date(2021, 3, 2, 0, 11, 12, 0, time.UTC)},
		{"2021-03-02 10:11:12 America/Sao_Paulo", time.Date(2021, 3, 2, 13, 11, 12, 0, time.UTC)},
		{"2021-07-02 10:11:12 Europe/Paris", time.Date(2021, 7, 2, 8, 11, 12, 0, time.UTC)},
		{"2021-01-02 10:11:12 Europe/Paris", time.Date(2021, 1, 2, 9, 11, 12, 0, time.UTC)},
		{"2021-03-02 10:11:12 -0300", time.Date(2021, 3, 2, 13, 11, 12, 0, time.UTC)},
		{"2021-03-02 10:11:12 -03", time.Date(2021, 3, 2, 13, 11, 12, 0, time.UTC)},
		{"2021-03-02 10:11:12 ../../etc/passwd", time.Time{}},
		{"2021-03-02 10:11:12 Mars/Olympus", time.Time{}},
		{"2021-02-30 10:11:12 BRT", time.Time{}},
		{"03/02/2025", time.Time{}},
		{"", time.Time{}},
	} {
		got, err := parseTime(tc.in)
		if tc.want.IsZero() != (err != nil) || !got.Equal(tc.want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestPostID(t *testing.T) {
	for _, tc := range []struct{ platform, url, want string }{
		{Facebook, "https://www.facebook.com/name/posts/123", "123"},
		{Facebook, "https://www.facebook.com/groups/456/permalink/789/", "789"},
		{Facebook, "https://www.facebook.com/permalink.php?story_fbid=11&id=22", "22_11"},
		{Facebook, "https://www.facebook.com/photo.php?fbid=33", "33"},
		{Facebook, "https://www.facebook.com/name/", ""},
		{Facebook, "not a url", ""},
		{Instagram, "https://www.instagram.com/p/AbC_1/", "AbC_1"},
		{Instagram, "https://www.instagram.com/tv/XyZ/", "XyZ"},
		{Instagram, "https://www.instagram.com/name/", ""},
	} {
		got, err := postID(tc.platform, tc.url)
		if got != tc.want || (tc.want == "") != (err != nil) {
			t.Errorf("postID(%s, %q) = %q, %v; want %q", tc.platform, tc.url, got, err, tc.want)
		}
	}
}

// FuzzRead: no input crashes the reader, and every post it returns has
// an identity and a time.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"page_posts.csv", "page_posts_bad.csv", "account_posts.csv", "content_library.json", "instagram_posts.jsonl"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, strings.HasPrefix(name, "account") || strings.HasPrefix(name, "instagram"))
	}
	f.Fuzz(func(t *testing.T, data []byte, ig bool) {
		platform := Facebook
		if ig {
			platform = Instagram
		}
		ps, err := Read(bytes.NewReader(data), platform)
		if err != nil {
			return
		}
		for _, p := range ps.Posts {
			if p.SourceID == "" || p.PostedAt.IsZero() || p.Platform != platform {
				t.Fatalf("post without identity or time: %+v", p)
			}
		}
	})
}
