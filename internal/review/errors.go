package review

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/marsad/marsad/internal/action"
	"github.com/marsad/marsad/internal/store"
)

// Error kinds. Every error the service returns wraps one of them, and
// Status maps them to the same HTTP status for the UI and the API. The
// first three are the store's own, so its errors need no translation.
var (
	// ErrInvalid: the request can never succeed as given (400). The error
	// is an *Error naming the field.
	ErrInvalid = store.ErrInvalid
	// ErrNotFound: the case or order does not exist (404).
	ErrNotFound = store.ErrNotFound
	// ErrConflict: the request contradicts the state of the case or order,
	// such as deciding a decided case or reopening a withdrawn order (409).
	ErrConflict = store.ErrConflict
	// ErrForbidden: this person may not do this to this case (403).
	ErrForbidden = errors.New("forbidden")
)

// Error is a refused request, naming the field at fault when there is one.
type Error struct {
	Kind  error  // one of the kinds above
	Field string // the request field, as the API and the forms name it
	Msg   string // starts with the field: "rationale: a decision must say why"
	// Code names the problem for a translated message ("rationale_required")
	// and Args are the values it names, in the order Msg names them.
	Code string
	Args []any
}

func (e *Error) Error() string { return e.Msg }

// Unwrap makes errors.Is(err, ErrInvalid) and the like work.
func (e *Error) Unwrap() error { return e.Kind }

func invalid(field, code, format string, args ...any) error {
	return &Error{Kind: ErrInvalid, Field: field, Code: code, Args: args, Msg: field + ": " + fmt.Sprintf(format, args...)}
}

func conflict(code, format string, args ...any) error {
	return &Error{Kind: ErrConflict, Code: code, Args: args, Msg: fmt.Sprintf(format, args...)}
}

// Status is the HTTP status for err, or 0 when err is none of the kinds
// (an internal fault the caller logs and never shows).
func Status(err error) int {
	var mbe *http.MaxBytesError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, ErrConflict), errors.Is(err, store.ErrExists),
		errors.Is(err, action.ErrNotActionable), errors.Is(err, action.ErrNotOpen):
		return http.StatusConflict
	}
	return 0
}

// Field names the request field at fault in err, if any.
func Field(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// Code names the problem in err (such as not_in_cluster or claimed_by),
// if it is one of the review rules' errors.
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
