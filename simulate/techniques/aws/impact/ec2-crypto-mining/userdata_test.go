package ec2cryptomining

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestUserDataDocument checks the embedded user data against the seed: a
// MIME multipart document cloud-init can parse, with the playbook's
// cloud-config and script, its 11 mining domains and its 63 afsdem.com
// labels, which decode to Lorem ipsum.
func TestUserDataDocument(t *testing.T) {
	t.Parallel()
	msg, err := mail.ReadMessage(bytes.NewReader(UserData()))
	if err != nil {
		t.Fatal(err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/mixed" || params["boundary"] != "//" || msg.Header.Get("MIME-Version") != "1.0" {
		t.Fatalf("header: %s %v %v", mediaType, params, err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var parts []struct{ contentType, filename, body string }
	for {
		p, err := mr.NextPart()
		if err != nil {
			// The seed ends with the boundary, not the close delimiter
			// "--//--"; cloud-init accepts that, Go reports it.
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !strings.Contains(err.Error(), "EOF") {
				t.Fatalf("part %d: %v", len(parts)+1, err)
			}
			break
		}
		body, err := io.ReadAll(p)
		if err != nil && !strings.Contains(err.Error(), "EOF") {
			t.Fatal(err)
		}
		parts = append(parts, struct{ contentType, filename, body string }{p.Header.Get("Content-Type"), p.FileName(), string(body)})
	}
	if len(parts) != 2 {
		t.Fatalf("%d parts, want 2", len(parts))
	}
	if parts[0].contentType != `text/cloud-config; charset="us-ascii"` || parts[0].filename != "cloud-config.txt" ||
		parts[0].body != "#cloud-config\ncloud_final_modules:\n- [scripts-user, always]\n" {
		t.Errorf("cloud-config part: %+v", parts[0])
	}
	script := parts[1].body
	if parts[1].contentType != `text/x-shellscript; charset="us-ascii"` || parts[1].filename != "userdata.txt" || !strings.HasPrefix(script, "#!/bin/bash\n") {
		t.Errorf("script part: %s %s %.40q", parts[1].contentType, parts[1].filename, script)
	}
	var domains []string
	for _, m := range regexp.MustCompile(`(?m)^echo "dig (\S+)" >>`).FindAllStringSubmatch(script, -1) {
		domains = append(domains, m[1])
	}
	wantDomains := []string{
		"donate.v2.xmrig.com", "systemten.org", "xmr.pool.minergate.comac", "pool.minergate.com",
		"dockerupdate.anondns.net", "rspca-northamptonshire.org.uk", "xmrpool.eu", "cryptofollow.com",
		"xmr-usa.dwarfpool.com", "xmr-eu.dwarfpool.com", "xmr-eu1.nanopool.org",
	}
	if !slices.Equal(domains, wantDomains) {
		t.Errorf("mining domains %v, want %v", domains, wantDomains)
	}
	var labels strings.Builder
	n := 0
	for _, m := range regexp.MustCompile(`(?m)^echo " dig ([A-Za-z0-9+/]+)\.afsdem\.com;" >>`).FindAllStringSubmatch(script, -1) {
		labels.WriteString(m[1])
		n++
	}
	if n != 63 {
		t.Errorf("%d afsdem.com labels, want 63", n)
	}
	text, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(labels.String(), "="))
	if err != nil {
		t.Fatalf("labels do not decode: %v", err)
	}
	if !strings.HasPrefix(strings.TrimSpace(string(text)), "Lorem ipsum dolor sit amet") {
		t.Errorf("labels decode to %.60q", text)
	}
	for _, s := range []string{`echo "for i in {1..10};"`, "curl -s http://pool.minergate.com/", "curl -s http://xmr.pool.minergate.com/",
		`echo "*/15 * * * * /usr/cryptokit/persist.sh" >> /var/spool/cron/root`} {
		if !strings.Contains(script, s) {
			t.Errorf("script lacks %q", s)
		}
	}
	if !strings.HasSuffix(string(UserData()), "/var/spool/cron/root\n--//\n") {
		t.Errorf("user data does not end with the seed's closing boundary")
	}
}
