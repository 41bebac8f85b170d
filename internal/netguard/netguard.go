// Package netguard keeps marsad's outgoing requests (collection and
// webhooks) off the inside of the network it runs in: loopback, private,
// link-local (cloud metadata at 169.254.169.254) and the other ranges that
// are not the public internet. The check runs at connect time, on the
// address actually dialled, so neither DNS nor a redirect can lead inside.
//
// An admin may let some inside hosts through — a unit's own RSS bridge or
// mirror — with an explicit allow-list of host names, IP addresses and
// CIDR ranges. The list is empty by default; it comes from the command
// line (marsad serve --allow-private) and from a stored setting changed on
// the admin page, every change written to the audit log.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// ErrBlocked is why a connection was refused by the guard.
var ErrBlocked = errors.New("blocked")

// SettingAllowPrivate is the stored allow-list, as List.String writes it.
const SettingAllowPrivate = "network.allow_private"

// notPublic are ranges the net/netip predicates do not name: carrier-grade
// NAT, IETF protocol assignments, benchmarking, reserved and broadcast,
// and the IPv6 prefixes that carry an IPv4 address inside (NAT64, 6to4),
// which could reach an inside IPv4 address through a translator.
var notPublic = []netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2002::/16"),
}

// Public reports whether ip is an address of the public internet.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsMulticast() || ip.IsUnspecified() || ip.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range notPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// EntryError is an allow-list entry that cannot be used. Code names the
// problem for a translated message: "entry" (neither a host name, an IP
// address nor a CIDR range) or "broad" (a range so wide it would switch
// the guard off).
type EntryError struct {
	Entry, Code string
}

func (e *EntryError) Error() string {
	if e.Code == "broad" {
		return fmt.Sprintf("allow-list entry %q: the range is too wide (at most /8 for IPv4, /16 for IPv6)", e.Entry)
	}
	return fmt.Sprintf("allow-list entry %q: not a host name, an IP address or a CIDR range", e.Entry)
}

// List is an allow-list: host names, matched exactly (case and a final dot
// aside), and IP ranges (a single address is a /32 or /128).
type List struct {
	Hosts    []string
	Prefixes []netip.Prefix
}

var hostName = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)

// Parse reads an allow-list: entries separated by commas, spaces or new
// lines. The first entry that cannot be used is the error.
func Parse(s string) (List, error) {
	var l List
	for _, e := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r' }) {
		if p, err := netip.ParsePrefix(e); err == nil {
			if p.Addr().Is4() && p.Bits() < 8 || p.Addr().Is6() && p.Bits() < 16 {
				return List{}, &EntryError{Entry: e, Code: "broad"}
			}
			l.addPrefix(p.Masked())
			continue
		}
		if ip, err := netip.ParseAddr(e); err == nil {
			ip = ip.Unmap().WithZone("")
			l.addPrefix(netip.PrefixFrom(ip, ip.BitLen()))
			continue
		}
		h := strings.TrimSuffix(strings.ToLower(e), ".")
		if len(h) > 253 || !hostName.MatchString(h) {
			return List{}, &EntryError{Entry: e, Code: "entry"}
		}
		if !slices.Contains(l.Hosts, h) {
			l.Hosts = append(l.Hosts, h)
		}
	}
	return l, nil
}

func (l *List) addPrefix(p netip.Prefix) {
	if !slices.Contains(l.Prefixes, p) {
		l.Prefixes = append(l.Prefixes, p)
	}
}

// String writes the list as Parse reads it: entries separated by ", ",
// single addresses without their prefix length.
func (l List) String() string {
	var out []string
	out = append(out, l.Hosts...)
	for _, p := range l.Prefixes {
		if p.IsSingleIP() {
			out = append(out, p.Addr().String())
		} else {
			out = append(out, p.String())
		}
	}
	return strings.Join(out, ", ")
}

// Empty reports whether the list allows nothing.
func (l List) Empty() bool { return len(l.Hosts) == 0 && len(l.Prefixes) == 0 }

// Allows reports whether the list lets host, dialled at ip, through: host
// is one of its names, or ip is in one of its ranges.
func (l List) Allows(host string, ip netip.Addr) bool {
	if h := strings.TrimSuffix(strings.ToLower(host), "."); h != "" && slices.Contains(l.Hosts, h) {
		return true
	}
	ip = ip.Unmap().WithZone("")
	for _, p := range l.Prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// Guard decides which connections are made: to public addresses always,
// to inside ones only when the allow-list lets them. The list is the
// configured one (fixed at start) and the stored one (changed by an
// admin while marsad runs). A nil Guard allows public addresses only.
type Guard struct {
	config List
	stored atomic.Pointer[List]
}

// New returns a Guard with the configured allow-list.
func New(config List) *Guard {
	g := &Guard{config: config}
	g.stored.Store(&List{})
	return g
}

// Lists returns the configured and the stored allow-lists.
func (g *Guard) Lists() (config, stored List) {
	if g == nil {
		return List{}, List{}
	}
	return g.config, *g.stored.Load()
}

// Check says why host, dialled at ip, may not be reached, if it may not.
func (g *Guard) Check(host string, ip netip.Addr) error {
	if Public(ip) {
		return nil
	}
	if g != nil && (g.config.Allows(host, ip) || g.stored.Load().Allows(host, ip)) {
		return nil
	}
	return fmt.Errorf("%w: %s is not a public address and is not in the allow-list", ErrBlocked, ip.Unmap())
}

// DialContext wraps d for an http.Transport: each connection is checked
// at connect time, on the address dialled, against the host name it was
// asked for. addrs are exact "ip:port" addresses let through besides (a
// test's or the demo's own server).
func (g *Guard) DialContext(d *net.Dialer, addrs ...string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("%w: address %q: %v", ErrBlocked, addr, err)
		}
		dd := *d
		dd.Control = func(network, address string, _ syscall.RawConn) error {
			if slices.Contains(addrs, address) {
				return nil
			}
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: address %q: %v", ErrBlocked, address, err)
			}
			return g.Check(host, ap.Addr())
		}
		return dd.DialContext(ctx, network, addr)
	}
}

// CheckHost says, before any connection, whether host is refused: an
// inside IP address or a name that resolves only inside, not in the
// allow-list. A name that does not resolve now is not refused here;
// the check at connect time still applies.
func (g *Guard) CheckHost(ctx context.Context, host string) error {
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return g.Check(host, ip)
	}
	if h := strings.TrimSuffix(strings.ToLower(host), "."); h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return g.Check(host, netip.IPv6Loopback())
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil
	}
	for _, ip := range ips {
		if err := g.Check(host, ip); err != nil {
			return err
		}
	}
	return nil
}

// Settings is where the stored allow-list is kept: the store's settings,
// whose every change is written to the audit log.
type Settings interface {
	Setting(ctx context.Context, key string) (string, bool, error)
	SetSetting(ctx context.Context, key, value, actor string, secret bool) error
}

// Load reads the stored allow-list into g.
func (g *Guard) Load(ctx context.Context, st Settings) error {
	v, _, err := st.Setting(ctx, SettingAllowPrivate)
	if err != nil {
		return err
	}
	l, err := Parse(v)
	if err != nil {
		return fmt.Errorf("setting %s: %w", SettingAllowPrivate, err)
	}
	g.stored.Store(&l)
	return nil
}

// Save checks raw, stores it as the allow-list (an audited change, by
// actor) and applies it at once.
func (g *Guard) Save(ctx context.Context, st Settings, raw, actor string) (List, error) {
	l, err := Parse(raw)
	if err != nil {
		return List{}, err
	}
	if err := st.SetSetting(ctx, SettingAllowPrivate, l.String(), actor, false); err != nil {
		return List{}, err
	}
	g.stored.Store(&l)
	return l, nil
}
