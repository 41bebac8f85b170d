package netguard_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/netguard"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
)

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		in, want, code string
	}{
		{"", "", ""},
		{"rss-bridge.unit.lan", "rss-bridge.unit.lan", ""},
		{" RSS.Unit.LAN. , 10.20.0.0/16\n192.168.1.7;fd00::/64", "rss.unit.lan, 10.20.0.0/16, 192.168.1.7, fd00::/64", ""},
		{"10.20.3.4/16", "10.20.0.0/16", ""},
		{"127.0.0.1/32, 127.0.0.1", "127.0.0.1", ""},
		{"::ffff:10.1.2.3", "10.1.2.3", ""},
		{"0.0.0.0/0", "", "broad"},
		{"::/0", "", "broad"},
		{"10.0.0.0/7", "", "broad"},
		{"http://rss.lan/", "", "entry"},
		{"rss.lan:8080", "", "entry"},
		{"*.unit.lan", "", "entry"},
		{"bad_name.lan", "", "entry"},
	} {
		l, err := netguard.Parse(tt.in)
		var ee *netguard.EntryError
		switch {
		case tt.code != "":
			if !errors.As(err, &ee) || ee.Code != tt.code {
				t.Errorf("Parse(%q) = %v, want an entry error %q", tt.in, err, tt.code)
			}
		case err != nil:
			t.Errorf("Parse(%q): %v", tt.in, err)
		case l.String() != tt.want:
			t.Errorf("Parse(%q) = %q, want %q", tt.in, l.String(), tt.want)
		}
	}
}

func TestPublic(t *testing.T) {
	for _, tt := range []struct {
		ip     string
		public bool
	}{
		{"93.184.215.14", true},
		{"2606:4700::1111", true},
		{"127.0.0.1", false},
		{"127.9.9.9", false},
		{"10.0.0.1", false},
		{"172.16.5.4", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"100.64.0.1", false},
		{"0.0.0.0", false},
		{"224.0.0.1", false},
		{"::1", false},
		{"fe80::1", false},
		{"fd00::1", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:10.0.0.1", false},
		{"64:ff9b::a00:1", false}, // NAT64 of 10.0.0.1
		{"2002:a00:1::1", false},  // 6to4 of 10.0.0.1
		{"255.255.255.255", false},
		{"198.18.0.1", false},
	} {
		if got := netguard.Public(netip.MustParseAddr(tt.ip)); got != tt.public {
			t.Errorf("Public(%s) = %v, want %v", tt.ip, got, tt.public)
		}
	}
	if netguard.Public(netip.Addr{}) {
		t.Error("the zero address is public")
	}
}

func TestCheck(t *testing.T) {
	l, err := netguard.Parse("rss.unit.lan, 10.20.0.0/16, 192.168.1.7")
	if err != nil {
		t.Fatal(err)
	}
	g := netguard.New(l)
	var none *netguard.Guard
	for _, tt := range []struct {
		host, ip      string
		listed, plain bool // allowed with the list; with no list
	}{
		{"example.org", "93.184.215.14", true, true},
		{"rss.unit.lan", "10.99.0.3", true, false}, // listed by name
		{"RSS.unit.lan.", "127.0.0.1", true, false},
		{"other.unit.lan", "10.99.0.3", false, false},
		{"10.20.5.6", "10.20.5.6", true, false}, // in the range
		{"mirror.lan", "10.20.5.6", true, false},
		{"192.168.1.7", "192.168.1.7", true, false},
		{"192.168.1.8", "192.168.1.8", false, false},
		{"169.254.169.254", "169.254.169.254", false, false},
		{"127.0.0.1", "127.0.0.1", false, false},
		{"x", "::ffff:10.20.0.1", true, false},
		{"x", "64:ff9b::a14:1", false, false}, // NAT64 of 10.20.0.1 is not the range
	} {
		ip := netip.MustParseAddr(tt.ip)
		if err := g.Check(tt.host, ip); (err == nil) != tt.listed || (err != nil && !errors.Is(err, netguard.ErrBlocked)) {
			t.Errorf("with the list, %s at %s: %v, want allowed %v", tt.host, tt.ip, err, tt.listed)
		}
		if err := none.Check(tt.host, ip); (err == nil) != tt.plain {
			t.Errorf("without a list, %s at %s: %v, want allowed %v", tt.host, tt.ip, err, tt.plain)
		}
	}
}

// TestDialLoopback connects for real to a server on loopback: refused
// without the allow-list, let through when its host name or a range
// holding its address is listed, at connect time.
func TestDialLoopback(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	get := func(g *netguard.Guard, host string) error {
		c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: g.DialContext(&net.Dialer{Timeout: 2 * time.Second})}}
		resp, err := c.Get("http://" + net.JoinHostPort(host, itoa(port)) + "/")
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	guard := func(list string) *netguard.Guard {
		l, err := netguard.Parse(list)
		if err != nil {
			t.Fatal(err)
		}
		return netguard.New(l)
	}
	for _, tt := range []struct {
		list, host string
		ok         bool
	}{
		{"", "127.0.0.1", false},
		{"", "localhost", false},
		{"10.0.0.0/8", "127.0.0.1", false},
		{"127.0.0.0/8", "127.0.0.1", true},
		{"127.0.0.1", "127.0.0.1", true},
		{"localhost", "localhost", true},
		{"localhost", "127.0.0.1", false},
	} {
		err := get(guard(tt.list), tt.host)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, netguard.ErrBlocked)) {
			t.Errorf("list %q, host %s: %v, want allowed %v", tt.list, tt.host, err, tt.ok)
		}
	}
	if err := get(nil, "127.0.0.1"); err == nil {
		t.Error("a nil guard let loopback through")
	}
	if err := get(guard(""), "127.0.0.1"); err == nil || !strings.Contains(err.Error(), "not a public address") {
		t.Errorf("refusal does not say why: %v", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestSaveAudited stores the list through the audited settings, applies
// it at once and reads it back into a new guard.
func TestSaveAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		g := netguard.New(netguard.List{})
		if err := g.Check("rss.unit.lan", netip.MustParseAddr("10.1.2.3")); err == nil {
			t.Fatal("allowed before the list was set")
		}
		if _, err := g.Save(ctx, s, "rss.unit.lan, 10.1.0.0/16, nope_", "amina"); err == nil {
			t.Fatal("a bad entry was saved")
		}
		if v, set, _ := s.Setting(ctx, netguard.SettingAllowPrivate); set {
			t.Fatalf("a refused list was stored: %q", v)
		}
		if _, err := g.Save(ctx, s, "rss.unit.lan 10.1.0.0/16", "amina"); err != nil {
			t.Fatal(err)
		}
		if err := g.Check("x", netip.MustParseAddr("10.1.2.3")); err != nil {
			t.Errorf("not applied at once: %v", err)
		}
		evs, err := s.AuditEvents(ctx, store.AuditFilter{Subject: "setting:" + netguard.SettingAllowPrivate})
		if err != nil || len(evs) != 1 || evs[0].Actor != "amina" || evs[0].Detail != "rss.unit.lan, 10.1.0.0/16" {
			t.Fatalf("audit events %+v, %v", evs, err)
		}
		if _, err := s.VerifyAudit(ctx); err != nil {
			t.Fatal(err)
		}
		g2 := netguard.New(netguard.List{})
		if err := g2.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		if _, stored := g2.Lists(); stored.String() != "rss.unit.lan, 10.1.0.0/16" {
			t.Errorf("loaded %q", stored)
		}
		if _, err := g.Save(ctx, s, "", "amina"); err != nil {
			t.Fatal(err)
		}
		if err := g.Check("x", netip.MustParseAddr("10.1.2.3")); err == nil {
			t.Error("an emptied list still allows")
		}
	})
}
