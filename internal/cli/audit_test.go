package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/store"
)

// TestAuditVerifyDetectsCutTail signs a checkpoint with audit verify, then
// cuts the log's tail the way only someone with database access can (the
// triggers dropped, or, on PostgreSQL, a TRUNCATE had it been allowed):
// the remaining chain is intact, and verify must still fail. Emptying the
// checkpoints too is caught by the copy kept beside the key.
func TestAuditVerifyDetectsCutTail(t *testing.T) {
	for name, extra := range backends(t) {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			verify := func() (int, string) {
				code, out, errs := run(t, "", append([]string{"audit", "verify", "--data", data}, extra...)...)
				return code, out + errs
			}
			for _, bank := range []string{"a", "b", "c"} {
				if code, _, errs := run(t, "", append(append([]string{"bank", "create", "--data", data}, extra...), bank)...); code != 0 {
					t.Fatal(errs)
				}
			}
			if code, out := verify(); code != 0 || !strings.Contains(out, "no signed checkpoint before") {
				t.Fatalf("first verify: %d %s", code, out)
			}
			if code, out := verify(); code != 0 || !strings.Contains(out, "consistent with the signed checkpoint") {
				t.Fatalf("second verify: %d %s", code, out)
			}
			ctx := context.Background()
			st, err := store.Open(ctx, dsnOf(data, extra))
			if err != nil {
				t.Fatal(err)
			}
			drop := []string{`DROP TRIGGER audit_append_only_delete`, `DROP TRIGGER audit_checkpoints_append_only_delete`}
			if name == "postgres" {
				drop = []string{`DROP TRIGGER audit_no_truncate ON audit`, `DROP TRIGGER audit_checkpoints_append_only ON audit_checkpoints`}
			}
			for _, q := range drop {
				if _, err := st.DB().ExecContext(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			cut := `DELETE FROM audit WHERE seq > 1`
			if name == "postgres" {
				cut = `TRUNCATE audit`
			}
			if _, err := st.DB().ExecContext(ctx, cut); err != nil {
				t.Fatal(err)
			}
			st.Close()
			code, out := verify()
			if code != 1 || !strings.Contains(out, "tail was cut") {
				t.Fatalf("verify after the tail was cut: %d %s", code, out)
			}
			// Opening the store restored the dropped triggers.
			st, _ = store.Open(ctx, dsnOf(data, extra))
			if _, err := st.DB().ExecContext(ctx, `DELETE FROM audit_checkpoints`); err == nil {
				t.Error("the checkpoints trigger was not restored at open")
			}
			st.Close()
			// With the database's checkpoints gone too, the copy beside the key still tells.
			if _, err := os.Stat(filepath.Join(data, "keys", "audit.checkpoint")); err != nil {
				t.Fatalf("no checkpoint copy beside the key: %v", err)
			}
			st, _ = store.Open(ctx, dsnOf(data, extra))
			if _, err := st.DB().ExecContext(ctx, drop[1]); err != nil {
				t.Fatal(err)
			}
			if _, err := st.DB().ExecContext(ctx, `DELETE FROM audit_checkpoints`); err != nil {
				t.Fatal(err)
			}
			st.Close()
			// (New events may since have taken the cut numbers: then the
			// checkpoint's event is there with another hash.)
			if code, out := verify(); code != 1 || !strings.Contains(out, "BROKEN") || !strings.Contains(out, "checkpoint") {
				t.Fatalf("verify with the checkpoints deleted too: %d %s", code, out)
			}
		})
	}
}

// TestServeSignsAuditCheckpoints cuts the audit log's tail after marsad
// serve ran, audit verify never having run: serve's own checkpoints (at
// start, every --checkpoint-every, at shutdown) must catch it, and a
// server started on the cut log must not sign over the cut.
func TestServeSignsAuditCheckpoints(t *testing.T) {
	for name, extra := range backends(t) {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			ctx := context.Background()
			for _, bank := range []string{"a", "b"} {
				if code, _, errs := run(t, "", append(append([]string{"bank", "create", "--data", data}, extra...), bank)...); code != 0 {
					t.Fatal(errs)
				}
			}
			st, err := store.Open(ctx, dsnOf(data, extra))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			head := func() int64 {
				evs, err := st.AuditEvents(ctx, store.AuditFilter{Limit: 1000})
				if err != nil {
					t.Fatal(err)
				}
				return evs[len(evs)-1].Seq
			}
			// waitCheckpoint waits for a checkpoint of event seq or later.
			waitCheckpoint := func(seq int64, what string) {
				t.Helper()
				deadline := time.Now().Add(20 * time.Second)
				for {
					cp, err := st.LatestAuditCheckpoint(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if cp != nil && cp.Seq >= seq {
						return
					}
					if time.Now().After(deadline) {
						t.Fatalf("no checkpoint of event %d %s (latest: %+v)", seq, what, cp)
					}
					time.Sleep(10 * time.Millisecond)
				}
			}

			// Periodic: events added while serving are signed without a restart.
			_, stop := serveOn(t, data, append([]string{"--checkpoint-every", "100ms"}, extra...))
			waitCheckpoint(head(), "at start")
			for i := 0; i < 3; i++ {
				if err := st.Audit(ctx, "rev1", "case.view", "case:1", ""); err != nil {
					t.Fatal(err)
				}
			}
			waitCheckpoint(head(), "while serving")
			stop()

			// At shutdown: an hour's interval, so only the shutdown signs
			// what happened while serving.
			_, stop = serveOn(t, data, append([]string{"--checkpoint-every", "1h"}, extra...))
			waitCheckpoint(head(), "at start")
			if err := st.Audit(ctx, "rev1", "case.view", "case:2", ""); err != nil {
				t.Fatal(err)
			}
			last := head()
			stop()
			waitCheckpoint(last, "at shutdown")

			// The tail is cut; audit verify, never run before, sees it.
			drop := `DROP TRIGGER audit_append_only_delete`
			if name == "postgres" {
				drop = `DROP TRIGGER audit_append_only ON audit`
			}
			if _, err := st.DB().ExecContext(ctx, drop); err != nil {
				t.Fatal(err)
			}
			if _, err := st.DB().ExecContext(ctx, st.Rebind(`DELETE FROM audit WHERE seq > ?`), last-2); err != nil {
				t.Fatal(err)
			}
			// New events take the cut numbers, past the signed head: a
			// checkpoint signed over them now would be the latest, and
			// hide the cut. A server started on the cut log reports it
			// and signs nothing.
			for i := 0; i < 5; i++ {
				if err := st.Audit(ctx, "rev1", "case.view", "case:3", ""); err != nil {
					t.Fatal(err)
				}
			}
			_, stop = serveOn(t, data, append([]string{"--checkpoint-every", "100ms"}, extra...))
			stop()
			code, out, errs := run(t, "", append([]string{"audit", "verify", "--data", data}, extra...)...)
			if code != 1 || !strings.Contains(out+errs, "tail was cut") && !strings.Contains(out+errs, "hash differs") {
				t.Fatalf("audit verify after the tail was cut: %d %s%s", code, out, errs)
			}
		})
	}
}
