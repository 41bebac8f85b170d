package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// ErrUnavailable marks a fault of the database rather than of the request:
// SQLite busy or locked, PostgreSQL unreachable, restarting or out of
// connections. The same request may succeed if sent again a little later.
var ErrUnavailable = errors.New("the database is busy or unreachable; try again shortly")

// ErrDiskFull marks a write refused because the database's disk (or the
// media folder's) is full: nothing more is stored until space is freed.
var ErrDiskFull = errors.New("the server's disk is full: nothing more can be stored until space is freed; try again later")

// SQLite primary result codes (sqlite3.h).
const (
	sqliteBusy     = 5
	sqliteLocked   = 6
	sqliteNoMem    = 7
	sqliteIOErr    = 10
	sqliteFull     = 13
	sqliteProtocol = 15
)

// DiskFull reports whether err is a write refused for want of disk space:
// SQLite's SQLITE_FULL, PostgreSQL's disk_full (53100), or ENOSPC from a
// file write.
func DiskFull(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrDiskFull) || errors.Is(err, syscall.ENOSPC) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()&0xff == sqliteFull
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "53100"
}

// Transient reports whether err is a fault of the database that may pass,
// rather than of the request: ErrUnavailable, a full disk, SQLite busy,
// locked, out of memory, failing I/O or a WAL race; PostgreSQL
// unreachable, shutting down, restarting, out of resources or failing
// I/O, a serialisation failure or deadlock; a connection that was reset or
// closed mid-answer (EOF), or a store already closed by a shutting-down
// server. A request that met one is answered 503, never 4xx.
func Transient(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrUnavailable) || DiskFull(err) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqliteBusy, sqliteLocked, sqliteNoMem, sqliteIOErr, sqliteProtocol:
			return true
		}
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			strings.HasPrefix(pe.Code, "53"),                           // insufficient resources: disk full, out of memory, too many connections
			strings.HasPrefix(pe.Code, "58"),                           // system error: I/O error on the server
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
	// A server that went away mid-answer (killed, restarted, a reset
	// connection) shows only as the end of the stream.
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED) {
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
