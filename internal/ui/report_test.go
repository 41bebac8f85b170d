package ui

import (
	"bytes"
	"encoding/csv"
	"net/url"
	"strings"
	"testing"

	"github.com/marsad/marsad/arabicshape"
	"github.com/marsad/marsad/internal/pdftext/pdftexttest"
	"github.com/marsad/marsad/internal/report/reporttest"
)

const reportMarch = "?from=2026-03-01&to=2026-04-01"

// languageClient signs in as a new user of role whose language is lang.
func (e *env) languageClient(t *testing.T, name, role, lang string) *client {
	t.Helper()
	c := e.client(t)
	c.login("amina")
	if code, body := c.post("/admin/users", url.Values{"name": {name}, "role": {role}, "password": {password}, "lang": {lang}}); code != 303 {
		t.Fatalf("add user %s: %d\n%s", name, code, body)
	}
	u := e.client(t)
	u.login(name)
	return u
}

// The report page shows the fixture's figures in each language, with no
// English on the Arabic page, and is linked from the navigation.
func TestReportPageInEachLanguage(t *testing.T) {
	e := newEnv(t)
	reporttest.Seed(t, e.st)
	for _, tc := range []struct {
		lang, title, sent string
	}{
		{"en", "Transparency report", "orders sent"},
		{"ar", "تقرير الشفافية", "الأوامر المرسلة"},
		{"fr", "Rapport de transparence", "injonctions envoyées"},
	} {
		c := e.languageClient(t, "report-"+tc.lang, "analyst", tc.lang)
		code, body := c.get("/report" + reportMarch)
		if code != 200 {
			t.Fatalf("%s: GET /report: %d\n%s", tc.lang, code, body)
		}
		// Order 8 counts as overdue too: its deadline passed before the
		// period's end, which is before now.
		for _, want := range []string{tc.title, tc.sent, `href="/report"`, `<td><bdi>telegram</bdi></td><td>6</td><td>4</td><td>3</td><td>1</td><td>2</td><td>0</td>`,
			`<svg class="bar"`, `href="/report.csv?from=2026-03-01&to=2026-04-01"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the report page lacks %q", tc.lang, want)
			}
		}
		if tc.lang == "ar" {
			if runs := englishRuns(body); len(runs) > 0 {
				t.Errorf("the Arabic report page shows English: %q", runs)
			}
		}
	}
}

// Every signed-in role of the unit reads the report (analyst and up); a
// visitor is sent to log in; a bad period is refused in words.
func TestReportRoles(t *testing.T) {
	e := newEnv(t)
	for _, who := range []string{"ana", "rev1", "amina"} {
		c := e.client(t)
		c.login(who)
		for _, path := range []string{"/report", "/report.csv", "/report.pdf"} {
			if code, _ := c.get(path + reportMarch); code != 200 {
				t.Errorf("%s GET %s: %d, want 200", who, path, code)
			}
		}
	}
	anon := e.client(t)
	if code, _ := anon.get("/report" + reportMarch); code != 303 {
		t.Errorf("anonymous GET /report: %d, want 303 to log in", code)
	}
	if code, _ := anon.get("/report.csv" + reportMarch); code != 303 {
		t.Errorf("anonymous GET /report.csv: %d, want 303 to log in", code)
	}
	c := e.client(t)
	c.login("ana")
	for _, q := range []string{"?from=2026-04-01&to=2026-03-01", "?from=March"} {
		code, body := c.get("/report" + q)
		if code != 400 || !strings.Contains(body, "The period is not valid") {
			t.Errorf("GET /report%s: %d, want 400 with the reason", q, code)
		}
	}
}

// The CSV opens in a spreadsheet as UTF-8, with the figures, and a
// platform named like a formula is written as text.
func TestReportCSV(t *testing.T) {
	e := newEnv(t)
	reporttest.Seed(t, e.st)
	c := e.client(t)
	c.login("ana")
	code, body := c.get("/report.csv" + reportMarch)
	if code != 200 {
		t.Fatalf("GET /report.csv: %d", code)
	}
	if !strings.HasPrefix(body, "\uFEFF") {
		t.Fatal("the CSV does not start with a byte order mark")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	find := func(fig, by, key string) []string {
		for _, r := range rows {
			if r[0] == fig && r[1] == by && r[2] == key {
				return r
			}
		}
		return nil
	}
	if r := find("orders_sent", "platform", "telegram"); r == nil || r[3] != "6" {
		t.Errorf("orders sent to telegram: %v, want 6", r)
	}
	if r := find("time_to_removal", "", ""); r == nil || r[4] != "1800" || r[5] != "5400" {
		t.Errorf("time to removal: %v, want median 1800 s and p90 5400 s", r)
	}
	if r := find("cases_opened", "platform", "'"+reporttest.Evil); r == nil || r[3] != "1" {
		t.Errorf("the formula-like platform is not guarded: %v", r)
	}
	if find("cases_opened", "platform", reporttest.Evil) != nil {
		t.Error("a cell starting with = is written as is")
	}
}

// The PDF of an Arabic user prints the Arabic words, shaped, and no
// English figure name.
func TestReportPDFArabic(t *testing.T) {
	e := newEnv(t)
	reporttest.Seed(t, e.st)
	c := e.languageClient(t, "report-pdf", "analyst", "ar")
	code, body := c.get("/report.pdf" + reportMarch)
	if code != 200 || !strings.HasPrefix(body, "%PDF") {
		t.Fatalf("GET /report.pdf: %d %.40q", code, body)
	}
	if !bytes.Contains(bytes.ToLower([]byte(body)), []byte("/basefont /utf8notonaskharabic")) {
		t.Fatal("the PDF does not embed the Arabic font")
	}
	var texts []string
	for _, op := range pdftexttest.Drawn([]byte(body)) {
		texts = append(texts, op.Text)
	}
	text := strings.Join(texts, "|")
	for _, want := range []string{"تقرير الشفافية", "الأوامر المرسلة", "الطعون المبتوت فيها", "نسبة المنشورات المرصودة غير الضارة"} {
		if !strings.Contains(text, arabicshape.Visual(arabicshape.StripMarks(want))) {
			t.Errorf("the PDF does not draw %q shaped; it draws %q", want, text)
		}
	}
	for _, english := range []string{"orders sent", "Transparency", "appeals"} {
		if strings.Contains(text, english) {
			t.Errorf("the Arabic PDF draws %q", english)
		}
	}
	if strings.Contains(text, "?") {
		t.Errorf("the PDF draws question marks: %q", text)
	}
}
