// Package org holds the rules of organisations: the unit itself, each
// platform and each partner agency. Every user and API key belongs to
// exactly one; what a member may see and do follows from its kind, and is
// decided here once for the web UI, the API and the command line
// (docs/organisations.md).
package org

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/marsad/marsad/internal/auth"
	"github.com/marsad/marsad/internal/store"
)

// Kinds of organisation.
const (
	KindUnit     = "unit"     // the unit that runs marsad: exactly one
	KindPlatform = "platform" // a platform, addressed by orders for its posts
	KindAgency   = "agency"   // a partner agency: sees what is shared with it
)

// Kinds lists the kinds an admin may create (the unit exists from the start).
var Kinds = []string{KindPlatform, KindAgency}

// Error kinds. Every error the service returns wraps one of them, and
// Status maps them to one HTTP status for the UI and the API.
var (
	ErrInvalid   = store.ErrInvalid  // 400, an *Error naming the field
	ErrNotFound  = store.ErrNotFound // 404
	ErrConflict  = store.ErrConflict // 409: the name or platform is taken
	ErrForbidden = errors.New("forbidden")
)

// Error is a refused request, naming the field at fault when there is one.
type Error struct {
	Kind  error
	Field string // the form field and flag: name, kind, platform, org, role, scope
	Msg   string
	// Code names the problem for a translated message; Args are the
	// values Msg names, in order.
	Code string
	Args []any
}

func (e *Error) Error() string { return e.Msg }

// Unwrap makes errors.Is(err, ErrInvalid) and the like work.
func (e *Error) Unwrap() error { return e.Kind }

func invalid(field, code, format string, args ...any) error {
	return &Error{Kind: ErrInvalid, Field: field, Code: code, Args: args, Msg: field + ": " + fmt.Sprintf(format, args...)}
}

// Status is the HTTP status for err, or 0 for an internal fault.
func Status(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, ErrConflict), errors.Is(err, store.ErrExists):
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

// Service applies the rules of organisations over the store.
type Service struct {
	st   *store.Store
	auth *auth.Service
}

// New returns a Service; as creates the users and keys AddUser and AddKey
// make.
func New(st *store.Store, as *auth.Service) *Service { return &Service{st: st, auth: as} }

// manage refuses anyone but an admin of the unit: only the unit creates,
// renames and assigns organisations.
func (s *Service) manage(ctx context.Context, p *auth.Principal, what string) error {
	if p == nil || p.Role == auth.RolePartner || !p.Can(auth.RoleAdmin) {
		return fmt.Errorf("%w: %s: only an admin of the unit may do this", ErrForbidden, what)
	}
	o, err := s.of(ctx, p)
	if err != nil {
		return err
	}
	if o.Kind != KindUnit {
		return fmt.Errorf("%w: %s: only an admin of the unit may do this, and %s belongs to %s", ErrForbidden, what, p.Name, o.Name)
	}
	return nil
}

// of returns p's organisation; an id of 0 (the command line) is the unit.
func (s *Service) of(ctx context.Context, p *auth.Principal) (*store.Organisation, error) {
	if p.OrgID == 0 {
		return s.st.Unit(ctx)
	}
	return s.st.OrganisationByID(ctx, p.OrgID)
}

var platformName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 64 || strings.ContainsFunc(name, unicode.IsControl) {
		return "", invalid("name", "org_name", "organisation name %q: 1 to 64 characters, no control characters", name)
	}
	return name, nil
}

// Create adds a platform or an agency organisation. A platform names the
// platform it stands for as posts and orders write it ("telegram", "x"),
// and one organisation stands for each platform; an agency names none.
func (s *Service) Create(ctx context.Context, p *auth.Principal, kind, name, platform string) (*store.Organisation, error) {
	if err := s.manage(ctx, p, "add organisation"); err != nil {
		return nil, err
	}
	name, err := checkName(name)
	if err != nil {
		return nil, err
	}
	platform = strings.TrimSpace(platform)
	switch kind {
	case KindPlatform:
		if !platformName.MatchString(platform) {
			return nil, invalid("platform", "org_platform", "platform %q: a platform organisation names its platform as posts write it, in lower case (telegram, x, facebook)", platform)
		}
	case KindAgency:
		if platform != "" {
			return nil, invalid("platform", "org_platform_agency", "platform %q: an agency stands for no platform", platform)
		}
	case KindUnit:
		return nil, invalid("kind", "org_unit_exists", "kind %q: the unit's organisation exists already, and there is only one", kind)
	default:
		return nil, invalid("kind", "org_kind", "kind %q: want platform or agency", kind)
	}
	o := &store.Organisation{Name: name, Kind: kind, Platform: platform}
	if err := s.st.CreateOrganisation(ctx, o, p.Name); err != nil {
		if errors.Is(err, store.ErrExists) {
			return nil, &Error{Kind: ErrConflict, Field: "name", Code: "org_exists", Args: []any{name, platform},
				Msg: fmt.Sprintf("name: an organisation named %q, or one for platform %q, exists already", name, platform)}
		}
		return nil, err
	}
	return o, nil
}

// List returns every organisation, the unit first.
func (s *Service) List(ctx context.Context) ([]store.Organisation, error) {
	return s.st.Organisations(ctx)
}

// Rename gives an organisation, the unit included, a new unused name.
func (s *Service) Rename(ctx context.Context, p *auth.Principal, name, newName string) error {
	if err := s.manage(ctx, p, "rename organisation"); err != nil {
		return err
	}
	o, err := s.st.OrganisationByName(ctx, name)
	if err != nil {
		return err
	}
	if newName, err = checkName(newName); err != nil {
		return err
	}
	if err := s.st.RenameOrganisation(ctx, o.ID, newName, p.Name); err != nil {
		if errors.Is(err, store.ErrExists) {
			return &Error{Kind: ErrConflict, Field: "name", Code: "org_name_taken", Args: []any{newName}, Msg: fmt.Sprintf("name: an organisation named %q exists already", newName)}
		}
		return err
	}
	return nil
}

// checkRole refuses a role a member of o may not hold: outside the unit
// people only read, since deciding cases, orders, banks and users is the
// unit's work.
func checkRole(o *store.Organisation, role string) error {
	if o.Kind != KindUnit && role != auth.RoleAnalyst {
		return invalid("role", "org_role", "role %q: members of %s (%s) can only be analysts; deciding and administering is the unit's", role, o.Name, o.Kind)
	}
	return nil
}

// RoleAllowed refuses a role a member of the organisation orgID may not
// hold (a change of role on the users page).
func (s *Service) RoleAllowed(ctx context.Context, orgID int64, role string) error {
	o, err := s.st.OrganisationByID(ctx, orgID)
	if err != nil {
		return err
	}
	return checkRole(o, role)
}

// AddUser creates a user in the organisation named orgName.
func (s *Service) AddUser(ctx context.Context, p *auth.Principal, orgName, name, role, password, lang string) (*store.User, error) {
	if err := s.manage(ctx, p, "add user"); err != nil {
		return nil, err
	}
	o, err := s.named(ctx, orgName)
	if err != nil {
		return nil, err
	}
	if err := checkRole(o, role); err != nil {
		return nil, err
	}
	u, err := s.auth.CreateUser(ctx, name, role, password, lang, p.Name)
	if err != nil {
		return nil, err
	}
	if o.Kind != KindUnit {
		if err := s.st.SetUserOrganisation(ctx, u.ID, o.ID, p.Name); err != nil {
			return nil, err
		}
		u.OrgID = o.ID
	}
	return u, nil
}

// named returns the organisation called name; "" is the unit.
func (s *Service) named(ctx context.Context, name string) (*store.Organisation, error) {
	if strings.TrimSpace(name) == "" {
		return s.st.Unit(ctx)
	}
	o, err := s.st.OrganisationByName(ctx, strings.TrimSpace(name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, &Error{Kind: ErrInvalid, Field: "org", Code: "org_unknown", Args: []any{name}, Msg: fmt.Sprintf("org: no organisation is named %q (marsad org list)", name)}
	}
	return o, err
}

// AssignUser moves a user into an organisation; their sessions end.
func (s *Service) AssignUser(ctx context.Context, p *auth.Principal, userName, orgName string) error {
	if err := s.manage(ctx, p, "assign user"); err != nil {
		return err
	}
	o, err := s.named(ctx, orgName)
	if err != nil {
		return err
	}
	u, err := s.st.UserByName(ctx, userName)
	if err != nil {
		return err
	}
	if err := checkRole(o, u.Role); err != nil {
		return err
	}
	return s.st.SetUserOrganisation(ctx, u.ID, o.ID, p.Name)
}

// keyBinding is the platform a key of o is bound to: a platform's own
// (a key bound to another platform is refused), none for an agency, and
// the one asked for in the unit. Outside the unit a key never has the
// all-platforms or audit scope.
func keyBinding(o *store.Organisation, scopes []string, platform string) (string, error) {
	platform = strings.TrimSpace(platform)
	if o.Kind == KindUnit {
		return platform, nil
	}
	for _, sc := range []string{auth.ScopeAllPlatforms, auth.ScopeAudit} {
		if slices.Contains(scopes, sc) {
			return "", invalid("scope", "org_key_scope", "scope %q: a key of %s (%s) sees at most its own organisation's, never every platform's", sc, o.Name, o.Kind)
		}
	}
	if o.Kind == KindAgency {
		return "", nil
	}
	if platform != "" && platform != o.Platform {
		return "", invalid("platform", "org_key_platform", "platform %q: a key of %s is bound to its platform %q", platform, o.Name, o.Platform)
	}
	return o.Platform, nil
}

// AddKey makes an API key in the organisation named orgName, bound as the
// organisation requires, and returns it (shown once).
func (s *Service) AddKey(ctx context.Context, p *auth.Principal, orgName, name string, scopes []string, platform string) (string, *store.APIKey, error) {
	if err := s.manage(ctx, p, "add API key"); err != nil {
		return "", nil, err
	}
	o, err := s.named(ctx, orgName)
	if err != nil {
		return "", nil, err
	}
	if o.Kind == KindUnit {
		return s.auth.CreateAPIKey(ctx, name, scopes, platform, p.Name)
	}
	bound, err := keyBinding(o, scopes, platform)
	if err != nil {
		return "", nil, err
	}
	return s.auth.CreateOrgAPIKey(ctx, name, scopes, bound, o.ID, p.Name)
}

// AssignKey moves an API key into an organisation, rebinding it to the
// organisation's platform (or to none for an agency).
func (s *Service) AssignKey(ctx context.Context, p *auth.Principal, keyID int64, orgName string) error {
	if err := s.manage(ctx, p, "assign API key"); err != nil {
		return err
	}
	o, err := s.named(ctx, orgName)
	if err != nil {
		return err
	}
	k, err := s.st.APIKeyByID(ctx, keyID)
	if err != nil {
		return err
	}
	bound, err := keyBinding(o, k.Scopes, k.Platform)
	if err != nil {
		return err
	}
	return s.st.SetAPIKeyOrganisation(ctx, k.ID, o.ID, bound, p.Name)
}

// Reach is what a user or key may see, by its organisation.
type Reach struct {
	Org store.Organisation
	// All: every platform's cases, orders and posts.
	All bool
	// Platform, when not All, is the one platform whose cases, orders and
	// posts may be seen; "" is none at all.
	Platform string
}

// Sees reports whether something of platform may be seen.
func (r Reach) Sees(platform string) bool {
	return r.All || (r.Platform != "" && r.Platform == platform)
}

// Unit reports whether the principal belongs to the unit: only the unit's
// people decide, issue orders, manage banks and administer, each by role.
func (r Reach) Unit() bool { return r.Org.Kind == KindUnit }

// Visible says what p may see. The unit's users see everything; a unit key
// sees every platform with the all-platforms scope, else its platform's.
// A platform's users and keys see only what is addressed to their
// platform. An agency sees only what was shared with it, and nothing is
// shared yet: it sees no cases, orders or posts, only its own
// organisation.
func (s *Service) Visible(ctx context.Context, p *auth.Principal) (Reach, error) {
	if p == nil {
		return Reach{}, fmt.Errorf("%w: sign in first", ErrForbidden)
	}
	o, err := s.of(ctx, p)
	if err != nil {
		return Reach{}, err
	}
	r := Reach{Org: *o}
	switch o.Kind {
	case KindUnit:
		if p.Role != auth.RolePartner || p.HasScope(auth.ScopeAllPlatforms) {
			r.All = true
		} else {
			r.Platform = p.Platform
		}
	case KindPlatform:
		r.Platform = o.Platform
	}
	return r, nil
}
