package cli

import (
	"context"
	"fmt"

	"github.com/marsad/marsad/internal/store"
)

func runReprocess(ctx context.Context, e env) error {
	fs := newFlags(e, "reprocess", "reprocess [flags]\n\nRuns the pipeline again on stored posts, as after adding bank entries or\nchanging the text model. Cases a human already decided keep their state.")
	var sf storeFlags
	sf.register(fs)
	platform := fs.String("platform", "", "only posts from this platform")
	if err := parseFlags(fs, e); err != nil {
		return err
	}
	a, err := openApp(ctx, sf, logger(e.stderr, false))
	if err != nil {
		return err
	}
	defer a.Close()
	total, err := a.store.CountPosts(ctx)
	if err != nil {
		return err
	}
	bar := progress(e.stderr, total, "reprocess")
	var after int64
	done, cases := 0, 0
	for {
		ps, err := a.store.Posts(ctx, store.PostFilter{Platform: *platform, AfterID: after, Limit: 500})
		if err != nil {
			return err
		}
		for _, p := range ps {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r, err := a.pipeline.Reprocess(ctx, p.ID)
			if err != nil {
				return fmt.Errorf("post %d: %w", p.ID, err)
			}
			if r.CaseID != 0 {
				cases++
			}
			done++
			bar.Add(1)
		}
		if len(ps) < 500 {
			break
		}
		after = ps[len(ps)-1].ID
	}
	bar.Finish()
	if err := a.store.Audit(ctx, "cli", "reprocess", "batch", fmt.Sprintf("%d posts, %d with a case", done, cases)); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "reprocessed %d posts; %d have a case\n", done, cases)
	return nil
}
