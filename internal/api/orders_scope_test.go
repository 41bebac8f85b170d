package api_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/action"
	"github.com/marsad/marsad/internal/api"
	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/review"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

// TestOrdersScopedToPlatform: a caller limited to one platform (a partner
// key bound to it) lists only the orders sent to its platform, and may not
// issue or withdraw orders for another platform or about another
// platform's case; a key bound to no platform sees no orders at all. The
// authorizer here grants every permission, so only the platform limit
// stands between the caller and the orders.
func TestOrdersScopedToPlatform(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		key, err := evidence.LoadOrCreateKey(filepath.Join(t.TempDir(), "data"))
		if err != nil {
			t.Fatal(err)
		}
		rv := review.New(s, action.New(s, evidence.NewKeeper(s, evidence.Media{}, key), action.Config{MaxAttempts: 1}), nil)
		t.Cleanup(rv.Wait)
		a := &api.API{Store: s, Pipeline: &pipeline.Pipeline{Store: s}, Review: rv, Authorize: func(r *http.Request, _ api.Perm) (string, error) {
			if p, ok := r.Header["X-Platform"]; ok {
				api.LimitToPlatform(r, p[0])
				return "key:" + p[0], nil
			}
			return "rev1", nil
		}}
		srv := httptest.NewServer(a.Handler())
		t.Cleanup(srv.Close)
		do := func(platform *string, method, path, body string) (int, string) {
			t.Helper()
			req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if platform != nil {
				req.Header.Set("X-Platform", *platform)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b strings.Builder
			buf := make([]byte, 4096)
			for {
				n, err := resp.Body.Read(buf)
				b.Write(buf[:n])
				if err != nil {
					break
				}
			}
			return resp.StatusCode, b.String()
		}
		tg, x, none := "telegram", "x", ""
		// Two decided cases, one per platform, each with an order to its platform.
		cases := map[string]string{}
		for _, p := range []string{"telegram", "x"} {
			c := &model.Case{Priority: 50, Labels: []model.Label{model.Incitement}}
			if _, _, err := s.SavePost(t.Context(), &model.Post{Platform: p, SourceID: "s-" + p, URL: "https://" + p + ".example/1", Text: "t"}, store.Analysis{Case: c}); err != nil {
				t.Fatal(err)
			}
			cases[p] = itoa(c.ID)
			if code, b := do(nil, "POST", "/api/v1/cases/"+cases[p]+"/decision", `{"labels":["incitement"],"action":"remove","rationale":"calls to kill"}`); code != 201 {
				t.Fatalf("decide: %d %s", code, b)
			}
		}
		order := func(caseID, platform string) string {
			return `{"case_id":` + caseID + `,"platform":"` + platform + `","legal_basis":"Art. 3"}`
		}
		if code, b := do(nil, "POST", "/api/v1/orders", order(cases["x"], "x")); code != 201 {
			t.Fatalf("order to x: %d %s", code, b)
		}
		xOrder := "1"

		// Issuing: only to its own platform, only about its own platform's cases.
		for _, tc := range []struct {
			body string
			want int
		}{
			{order(cases["telegram"], "x"), 403},
			{order(cases["x"], "telegram"), 404},
			{order(cases["x"], "x"), 403},
			{order(cases["telegram"], "telegram"), 201},
		} {
			if code, b := do(&tg, "POST", "/api/v1/orders", tc.body); code != tc.want {
				t.Errorf("telegram key issues %s: %d, want %d: %s", tc.body, code, tc.want, b)
			}
		}
		if code, b := do(&none, "POST", "/api/v1/orders", order(cases["telegram"], "telegram")); code != 403 {
			t.Errorf("key bound to no platform issues an order: %d %s", code, b)
		}

		// Listing: its own platform's orders only.
		for _, tc := range []struct {
			who        *string
			query      string
			want, seen int
		}{
			{&tg, "", 200, 1},
			{&tg, "?platform=telegram", 200, 1},
			{&tg, "?platform=x", 403, 0},
			{&x, "", 200, 1},
			{&none, "", 403, 0},
			{nil, "", 200, 2},
		} {
			code, b := do(tc.who, "GET", "/api/v1/orders"+tc.query, "")
			if code != tc.want {
				t.Errorf("orders%s: %d, want %d: %s", tc.query, code, tc.want, b)
				continue
			}
			if code == 200 && !strings.Contains(b, `"total": `+itoa(int64(tc.seen))+",") {
				t.Errorf("orders%s: want %d orders: %s", tc.query, tc.seen, b)
			}
			if tc.who == &tg && strings.Contains(b, `"platform": "x"`) {
				t.Errorf("telegram key sees an order to x: %s", b)
			}
		}

		// Withdrawing: another platform's order is not found and stays sent.
		if code, b := do(&tg, "POST", "/api/v1/orders/"+xOrder+"/withdraw", `{"reason":"not ours"}`); code != 404 {
			t.Errorf("telegram key withdraws an order to x: %d %s", code, b)
		}
		if o, err := s.Order(t.Context(), 1); err != nil || o.Status != store.OrderSent {
			t.Fatalf("order to x after the refused withdrawal: %+v %v", o, err)
		}
		if code, b := do(&x, "POST", "/api/v1/orders/"+xOrder+"/withdraw", `{"reason":"sent in error"}`); code != 200 {
			t.Errorf("x key withdraws its own order: %d %s", code, b)
		}
	})
}
