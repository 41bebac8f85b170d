package pipeline

import (
	"sort"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/links"
	"github.com/marsad/marsad/wallet"
)

// Signals computes the signals of a post: media digests and perceptual
// hashes, canonical URLs from its links and text, and checksum-valid
// wallet addresses. The result is sorted and free of duplicates, so the
// same post always gives the same signals.
func Signals(p *model.Post) []model.Signal {
	seen := map[model.Signal]bool{}
	var out []model.Signal
	add := func(s model.Signal) {
		if s.Value == "" {
			return
		}
		key := model.Signal{Type: s.Type, Value: s.Value}
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, s)
	}
	for _, m := range p.Media {
		add(model.Signal{Type: model.SignalSHA256, Value: m.SHA256})
		add(model.Signal{Type: model.SignalMD5, Value: m.MD5})
		add(model.Signal{Type: model.SignalPDQ, Value: m.PDQ, Quality: m.Quality})
		if m.VPDQ != "" {
			add(model.Signal{Type: model.SignalVPDQ, Value: vpdqDigest(m.VPDQ)})
		}
	}
	raw := append(append([]string(nil), p.Links...), links.Extract(p.Text)...)
	for _, u := range raw {
		if c, err := links.Canonical(u); err == nil {
			add(model.Signal{Type: model.SignalURL, Value: c})
		}
	}
	for _, a := range wallet.Find(p.Text) {
		add(model.Signal{Type: model.SignalWallet, Value: a.Chain + ":" + a.Value})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].Value < out[j].Value
	})
	return out
}
