package cli

import "context"

// plugStages connects the optional pipeline stages. Each stage's package
// adds itself here as it lands.
func plugStages(ctx context.Context, a *app) error { return nil }
