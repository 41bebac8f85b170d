package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// searchPosts are written in the standard spelling; the queries of
// TestSearchFoldsSpelling are not.
var searchPosts = []model.Post{
	{Platform: "telegram", SourceID: "khilafa", Author: "channel_x", Lang: "ar", Text: "عودة الخلافة الإسلامية وعزة الأمة"},
	{Platform: "telegram", SourceID: "raya", Author: "channel_x", Lang: "ar", Text: "لا تأخذكم رحمة في أعداء الدين، ارفعوا الراية"},
	{Platform: "x", SourceID: "jihad", Author: "@Abu_Omar", Lang: "ar", Text: "انفروا إلى الجهاد في سبيل الله"},
	{Platform: "x", SourceID: "en", Author: "@NewsDesk", Lang: "en", Text: "Reporters describe the CALIPHATE's propaganda videos",
		Links: []string{"https://Example.org/Join/Now"}},
	// Written with the variants, found by the standard spelling.
	{Platform: "rss", SourceID: "variant", Author: "مراسل", Lang: "ar", Text: "بيان جديد عن الدولـــة الاسلاميه و ٱلمهاجرين"},
}

func seedSearch(t *testing.T, s *store.Store) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i, p := range searchPosts {
		p.PostedAt = base.Add(time.Duration(i) * time.Hour)
		id, _, err := s.SavePost(context.Background(), &p, store.Analysis{})
		if err != nil {
			t.Fatal(err)
		}
		ids[p.SourceID] = id
	}
	return ids
}

func sourceIDs(ps []model.Post) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.SourceID)
	}
	return out
}

// TestSearchFoldsSpelling is issue 14's "done when": the spelling
// variants find the posts the standard spelling finds, on both stores.
func TestSearchFoldsSpelling(t *testing.T) {
	cases := []struct {
		query string
		want  string // source id, "" for none
	}{
		{"الخلافة", "khilafa"},
		{"الخلافه", "khilafa"}, // ha for ta marbuta
		{"الامة", "khilafa"},   // bare alef for hamza on alef
		{"الأمه", "khilafa"},
		{"الإسلامية الخلافة", "khilafa"},
		{"اعداء", "raya"},      // أعداء
		{"تاخذكم", "raya"},     // تأخذكم
		{"الرايه", "raya"},     // الراية
		{"ٱلراية", "raya"},     // alef wasla
		{"الــرايــة", "raya"}, // tatweel
		{"الرَّايَة", "raya"},  // diacritics
		{"الجهاد سبيل", "jihad"},
		{"جهاد", "jihad"},   // the post says الجهاد
		{"امه", "khilafa"},  // the post says الأمة
		{"دين", "raya"},     // the post says الدين
		{"caliphate", "en"}, // Latin case
		{"CALIPHATE'S", "en"},
		{"example.org", "en"}, // the words of a link
		{"join", "en"},
		{"abu_omar", "jihad"},           // the words of an author
		{"الدولة الإسلامية", "variant"}, // post written الدولـــة الاسلاميه
		{"المهاجرين", "variant"},        // post written ٱلمهاجرين
		{"الخلافة الجهاد", ""},          // every word must be there
		{"خلاف", ""},                    // whole words only
		{"!!! ؟", ""},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seedSearch(t, s)
		for _, c := range cases {
			res, err := s.SearchPosts(context.Background(), store.SearchFilter{Text: c.query})
			if err != nil {
				t.Fatalf("search %q: %v", c.query, err)
			}
			got := strings.Join(sourceIDs(res.Posts), ",")
			if got != c.want || res.Total != len(res.Posts) {
				t.Errorf("search %q found [%s] (total %d), want [%s]", c.query, got, res.Total, c.want)
			}
		}
	})
}

func TestSearchAuthorFiltersAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seedSearch(t, s)
		for _, a := range []string{"channel_x", "Channel_X", "@CHANNEL_X"} {
			res, err := s.SearchPosts(ctx, store.SearchFilter{Author: a})
			if err != nil || res.Total != 2 || strings.Join(sourceIDs(res.Posts), ",") != "raya,khilafa" {
				t.Errorf("author %q: %v, %v; want raya,khilafa newest first", a, sourceIDs(res.Posts), err)
			}
		}
		if res, _ := s.SearchPosts(ctx, store.SearchFilter{Author: "abu_omar"}); res.Total != 1 {
			t.Errorf("author abu_omar (stored @Abu_Omar) found %d", res.Total)
		}
		// Filters.
		check := func(what string, f store.SearchFilter, want string) {
			t.Helper()
			res, err := s.SearchPosts(ctx, f)
			if got := strings.Join(sourceIDs(res.Posts), ","); err != nil || got != want {
				t.Errorf("%s: [%s], %v; want [%s]", what, got, err, want)
			}
		}
		check("platform", store.SearchFilter{Platform: "x"}, "en,jihad")
		check("language", store.SearchFilter{Lang: "en"}, "en")
		base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		check("dates", store.SearchFilter{From: base.Add(time.Hour), To: base.Add(3 * time.Hour)}, "jihad,raya")
		// Case label and state.
		c := &model.Case{Priority: 50, Labels: []model.Label{model.Incitement}, Reasons: []model.Reason{{Kind: "rule", Label: model.Incitement}}}
		p := model.Post{Platform: "telegram", SourceID: "case", Text: "الخلافة باقية", PostedAt: base.Add(-time.Hour)}
		if _, _, err := s.SavePost(ctx, &p, store.Analysis{Case: c}); err != nil {
			t.Fatal(err)
		}
		check("label", store.SearchFilter{Label: model.Incitement}, "case")
		check("state open", store.SearchFilter{Text: "الخلافه", State: "open"}, "case")
		check("no case", store.SearchFilter{Text: "الخلافه", State: store.StateNone}, "khilafa")
		check("state decided", store.SearchFilter{State: "decided"}, "")
		// Pages: 6 posts, 4 a page.
		all, err := s.SearchPosts(ctx, store.SearchFilter{Limit: 4})
		if err != nil || all.Total != 6 || len(all.Posts) != 4 {
			t.Fatalf("page 1: %d of %d, %v; want 4 of 6", len(all.Posts), all.Total, err)
		}
		next, err := s.SearchPosts(ctx, store.SearchFilter{Limit: 4, Offset: 4})
		if err != nil || next.Total != 6 || strings.Join(sourceIDs(next.Posts), ",") != "khilafa,case" {
			t.Fatalf("page 2: %v of %d, %v", sourceIDs(next.Posts), next.Total, err)
		}
		seen := map[string]bool{}
		for _, p := range append(all.Posts, next.Posts...) {
			if seen[p.SourceID] {
				t.Errorf("post %s on two pages", p.SourceID)
			}
			seen[p.SourceID] = true
		}
		if beyond, err := s.SearchPosts(ctx, store.SearchFilter{Limit: 4, Offset: 40}); err != nil || beyond.Total != 6 || len(beyond.Posts) != 0 {
			t.Errorf("past the end: %d posts of %d, %v", len(beyond.Posts), beyond.Total, err)
		}
		// Ranking: the post with the word twice comes first.
		for i, txt := range []string{"bayan once", "bayan bayan bayan twice"} {
			p := model.Post{Platform: "rss", SourceID: fmt.Sprint("rank", i), Text: txt, PostedAt: base.Add(time.Duration(10-i) * time.Hour)}
			if _, _, err := s.SavePost(ctx, &p, store.Analysis{}); err != nil {
				t.Fatal(err)
			}
		}
		check("rank", store.SearchFilter{Text: "bayan"}, "rank1,rank0")
	})
}

func TestSearchRefusesBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seedSearch(t, s)
		for name, f := range map[string]store.SearchFilter{
			"huge":        {Text: strings.Repeat("الخلافة ", 200)},
			"nul":         {Text: "a\x00b"},
			"utf8":        {Text: "\xff\xfe"},
			"author utf8": {Author: "\xc3"},
			"label":       {Label: "nonsense"},
			"state":       {State: "sideways"},
			"dates":       {From: time.Now(), To: time.Now().Add(-time.Hour)},
			"offset":      {Offset: -1},
		} {
			if _, err := s.SearchPosts(context.Background(), f); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("%s: err = %v, want ErrInvalid", name, err)
			}
		}
		// FTS5 syntax in a query is only words.
		for _, q := range []string{`"`, `AND OR NOT`, `a* NEAR(b)`, `col:x`, `^x`, `'); DROP TABLE posts;--`} {
			if _, err := s.SearchPosts(context.Background(), store.SearchFilter{Text: q}); err != nil {
				t.Errorf("query %q: %v", q, err)
			}
		}
	})
}

// TestSearchBackfill folds posts stored before search existed (here: whose
// folded text was cleared) when the store is opened.
func TestSearchBackfill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	ctx := context.Background()
	s, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	p := model.Post{Platform: "x", SourceID: "1", Author: "@Someone", Text: "ارفعوا الراية", PostedAt: time.Now()}
	if _, _, err := s.SavePost(ctx, &p, store.Analysis{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`UPDATE posts SET search_text = NULL, author_key = ''`); err != nil {
		t.Fatal(err)
	}
	if res, _ := s.SearchPosts(ctx, store.SearchFilter{Text: "الرايه"}); res.Total != 0 {
		t.Fatalf("cleared post still found")
	}
	s.Close()
	s, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if res, err := s.SearchPosts(ctx, store.SearchFilter{Text: "الرايه", Author: "someone"}); err != nil || res.Total != 1 {
		t.Fatalf("after reopening: %d found, %v; want the post", res.Total, err)
	}
}

func TestSavedSearches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := &store.SavedSearch{User: "ana", Kind: store.SavedSearchPosts, Name: "الراية", Query: "q=%D8%A7%D9%84%D8%B1%D8%A7%D9%8A%D9%87"}
		if err := s.SaveSearch(ctx, a); err != nil {
			t.Fatal(err)
		}
		b := &store.SavedSearch{User: "ana", Kind: store.SavedSearchPosts, Name: "الراية", Query: "q=x"}
		if err := s.SaveSearch(ctx, b); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveSearch(ctx, &store.SavedSearch{User: "ana", Kind: store.SavedQueueFilter, Name: "open ar", Query: "lang=ar"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveSearch(ctx, &store.SavedSearch{User: "rev1", Kind: store.SavedSearchPosts, Name: "mine", Query: "q=y"}); err != nil {
			t.Fatal(err)
		}
		got, err := s.SavedSearches(ctx, "ana", store.SavedSearchPosts)
		if err != nil || len(got) != 1 || got[0].Query != "q=x" {
			t.Fatalf("ana's searches = %+v, %v; want the one replaced by name", got, err)
		}
		if err := s.DeleteSavedSearch(ctx, "rev1", got[0].ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleting another user's search: %v, want ErrNotFound", err)
		}
		if err := s.DeleteSavedSearch(ctx, "ana", got[0].ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.SavedSearches(ctx, "ana", store.SavedSearchPosts); len(got) != 0 {
			t.Errorf("after delete: %+v", got)
		}
		if got, _ := s.SavedSearches(ctx, "ana", store.SavedQueueFilter); len(got) != 1 {
			t.Errorf("queue filters: %+v", got)
		}
		for _, bad := range []store.SavedSearch{{User: "ana", Kind: "search", Name: " "}, {User: "ana", Kind: "other", Name: "x"}, {User: "ana", Kind: "search", Name: "a\x00"}} {
			if err := s.SaveSearch(ctx, &bad); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("save %+v: %v, want ErrInvalid", bad, err)
			}
		}
	})
}

// TestSearchFoldsQueryProclitics: a query word written with the letters
// Arabic writes onto a word's front finds the word without them, on both
// stores, and the plain word still finds the prefixed one.
func TestSearchFoldsQueryProclitics(t *testing.T) {
	posts := []model.Post{
		{Platform: "telegram", SourceID: "khilafa", Lang: "ar", Text: "عودة الخلافة قريبة"},
		{Platform: "telegram", SourceID: "ikhwan", Lang: "ar", Text: "الحقوا إخوانك في الثغور"},
		{Platform: "telegram", SourceID: "bilad", Lang: "ar", Text: "أخبار البلاد اليوم"},
		{Platform: "telegram", SourceID: "jihad", Lang: "ar", Text: "انفروا إلى الجهاد"},
	}
	cases := []struct{ query, want string }{
		{"والخلافة", "khilafa"},
		{"فالخلافة", "khilafa"},
		{"بإخوانك", "ikhwan"},
		{"وبإخوانك", "ikhwan"},
		{"لإخوانك الثغور", "ikhwan"},
		{"والجهاد", "jihad"},
		{"جهاد", "jihad"},
		{"لاد", ""},    // no word is cut to find it
		{"والقمر", ""}, // the base word is not there either
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for i, p := range posts {
			p.PostedAt = time.Date(2026, 3, 1, i, 0, 0, 0, time.UTC)
			if _, _, err := s.SavePost(context.Background(), &p, store.Analysis{}); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range cases {
			res, err := s.SearchPosts(context.Background(), store.SearchFilter{Text: c.query})
			if err != nil {
				t.Fatalf("search %q: %v", c.query, err)
			}
			if got := strings.Join(sourceIDs(res.Posts), ","); got != c.want {
				t.Errorf("search %q found [%s], want [%s]", c.query, got, c.want)
			}
		}
	})
}

// TestSearchLongQuery: the query field allows 1,000 characters, so a
// query of 700 Arabic characters (about 1,300 bytes) is searched, and one
// of 1,001 characters is refused naming the limit in characters.
func TestSearchLongQuery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seedSearch(t, s)
		ctx := context.Background()
		q := []rune(strings.Repeat("الخلافة ", 100))[:700]
		if _, err := s.SearchPosts(ctx, store.SearchFilter{Text: string(q)}); err != nil {
			t.Fatalf("a query of 700 Arabic characters (%d bytes): %v", len(string(q)), err)
		}
		if _, err := s.SearchPosts(ctx, store.SearchFilter{Text: strings.Repeat("a b ", 250)}); err != nil {
			t.Fatalf("a query of 1,000 characters, 500 words: %v", err)
		}
		var te *store.TextError
		_, err := s.SearchPosts(ctx, store.SearchFilter{Text: strings.Repeat("ب", 1001)})
		if !errors.As(err, &te) || te.Code != "text_long" || te.Max != 1000 || te.Field != "q" || !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("a query of 1,001 characters: %v, want text_long naming 1000", err)
		}
	})
}
