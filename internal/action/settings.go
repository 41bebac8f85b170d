package action

import (
	"context"
	"strconv"
	"strings"

	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/store"
)

// SettingsForm is the unit's settings as an admin sends them.
type SettingsForm struct {
	WebhookURL string
	// WebhookSecret, when empty, keeps the secret already set.
	WebhookSecret string
	// RetentionDays is the evidence retention period in days, as typed.
	RetentionDays string
	// Texts are the unit's order texts by form field (legal_basis,
	// removal_text, referral_text); a field not sent is left as it is,
	// an empty one goes back to the default.
	Texts map[string]string
}

// settingTexts maps the form fields of the order texts to their settings.
var settingTexts = map[string]string{"legal_basis": SettingLegalBasis, "removal_text": SettingRemovalText, "referral_text": SettingReferralText}

// Check says what is wrong with f, naming the first field at fault, and
// returns the settings to write when nothing is.
func (f SettingsForm) Check() ([]store.Setting, error) {
	addr := strings.TrimSpace(f.WebhookURL)
	if _, err := webhookSyntax(addr); err != nil {
		return nil, err
	}
	days, err := strconv.Atoi(strings.TrimSpace(f.RetentionDays))
	if err != nil || days <= 0 || days > 36500 {
		return nil, fieldError("retention_days", "retention_range", "retention_days: not a number of days from %d to %d", 1, 36500)
	}
	set := []store.Setting{{Key: SettingWebhookURL, Value: addr}}
	if f.WebhookSecret != "" {
		if len(f.WebhookSecret) < 16 {
			return nil, fieldError("webhook_secret", "secret_short", "webhook_secret: shorter than %d characters", 16)
		}
		set = append(set, store.Setting{Key: SettingWebhookSecret, Value: f.WebhookSecret, Secret: true})
	}
	set = append(set, store.Setting{Key: evidence.SettingRetentionDays, Value: strconv.Itoa(days)})
	for _, field := range []string{"legal_basis", "removal_text", "referral_text"} {
		if v, sent := f.Texts[field]; sent {
			set = append(set, store.Setting{Key: settingTexts[field], Value: strings.TrimSpace(v)})
		}
	}
	return set, nil
}

// SaveSettings checks the whole form first, the webhook address against
// the private-address guard too, and saves nothing if any field is
// wrong; otherwise it saves every field in one transaction.
func (s *Service) SaveSettings(ctx context.Context, f SettingsForm, actor string) error {
	set, err := f.Check()
	if err != nil {
		return err
	}
	if err := s.CheckWebhookURL(ctx, strings.TrimSpace(f.WebhookURL)); err != nil {
		return err
	}
	return s.st.SetSettings(ctx, set, actor)
}
