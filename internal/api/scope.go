package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/marsad/marsad/internal/store"
)

// platformLimit is the one platform a request may see, when Authorize set
// one; a pointer in the context lets Authorize set it on the request it
// is given.
type platformLimit struct {
	set      bool
	platform string // "" with set: bound to no platform at all
}

type limitKey struct{}

// LimitToPlatform restricts the request Authorize is deciding on to one
// platform's cases and posts: other platforms' are not found, listings
// show only this platform's, and posts for another platform are refused.
// An empty platform means none: such a caller reads no cases or posts.
// Callers who may see every platform (users, keys with all-platforms)
// are not limited.
func LimitToPlatform(r *http.Request, platform string) {
	if l, ok := r.Context().Value(limitKey{}).(*platformLimit); ok {
		l.set, l.platform = true, platform
	}
}

func withLimit(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), limitKey{}, &platformLimit{}))
}

func limitOf(ctx context.Context) *platformLimit {
	if l, ok := ctx.Value(limitKey{}).(*platformLimit); ok && l.set {
		return l
	}
	return nil
}

// errNoPlatform refuses a key bound to no platform.
var errNoPlatform = fmt.Errorf("%w: this API key is bound to no platform: ask for a key bound to your platform, or one with the all-platforms scope", ErrForbidden)

// scopedPlatform returns the platform filter a listing must use: the
// caller's own platform when limited, refusing a request for another.
func scopedPlatform(ctx context.Context, asked string) (string, error) {
	l := limitOf(ctx)
	switch {
	case l == nil:
		return asked, nil
	case l.platform == "":
		return "", errNoPlatform
	case asked != "" && asked != l.platform:
		return "", fmt.Errorf("%w: this API key reads only platform %q", ErrForbidden, l.platform)
	}
	return l.platform, nil
}

// visible refuses what belongs to another platform than the caller's,
// as not found, so a partner cannot tell what other platforms hold.
func visible(ctx context.Context, platform, what string) error {
	l := limitOf(ctx)
	switch {
	case l == nil:
		return nil
	case l.platform == "":
		return errNoPlatform
	case platform != l.platform:
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}
