package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// ErrUnavailable marks a fault of the database rather than of the request:
// SQLite busy or locked, PostgreSQL unreachable, restarting or out of
// connections. The same request may succeed if sent again a little later.
var ErrUnavailable = errors.New("the database is busy or unreachable; try again shortly")

// SQLite primary result codes that mean "try again" (sqlite3.h).
const (
	sqliteBusy   = 5
	sqliteLocked = 6
)

// Transient reports whether err is a fault of the database that may pass:
// ErrUnavailable, SQLite busy or locked, a PostgreSQL connection failure,
// server shutdown, too many connections, a serialisation failure or
// deadlock, or a store already closed by a shutting-down server.
func Transient(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrUnavailable) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqliteBusy, sqliteLocked:
			return true
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			strings.HasPrefix(pe.Code, "53"),                           // insufficient resources
			pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", // shutdown, crash, cannot connect now
			pe.Code == "40001", pe.Code == "40P01": // serialisation failure, deadlock
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return true
	}
	if pgconn.Timeout(err) && !errors.Is(err, context.Canceled) {
		return true
	}
	// database/sql reports a closed pool only as text.
	return strings.Contains(err.Error(), "sql: database is closed")
}
