package ui

import (
	"net/http"
	"testing"
)

func TestPagesRender(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("amina")
	for _, p := range []string{"/queue", "/queue?state=all&label=incitement", "/dashboard", "/orders", "/orders?show=all", "/evidence", "/banks", "/admin",
		"/cases/1", "/cases/2", "/cases/3"} {
		code, body := c.get(p)
		if code != http.StatusOK {
			t.Errorf("GET %s: %d\n%s", p, code, body)
		}
	}
}
