package userdata

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
)

// File is a file a handler writes: a script or a boothook.
type File struct {
	Name string // cleaned as cloud-init's clean_filename does
	Data []byte
}

// Module is one entry of a cloud_*_modules list: a module and the
// frequency it runs at ("" for the module's own default).
type Module struct {
	Name      string // canonical, with dashes: "scripts-user"
	Frequency string // "", "always", "once-per-instance" or "once"
}

// Config is what the sandbox reads of the merged cloud-config.
type Config struct {
	// FinalModules is cloud_final_modules when the user data sets it; nil
	// when it does not, so the image's own list applies. Like every
	// top-level key, it replaces the image's list rather than adding to it.
	FinalModules []Module
	// Keys are the top-level keys set, in order of first appearance.
	Keys []string
}

// Result is what cloud-init's user-data handlers make of the user data.
type Result struct {
	Parts []Part
	// Scripts are the text/x-shellscript parts, which cloud-init writes to
	// /var/lib/cloud/instance/scripts/ with mode 0700.
	Scripts []File
	// Boothooks are the text/cloud-boothook parts, their "#cloud-boothook"
	// line removed, which cloud-init runs at once during its init stage.
	Boothooks []File
	Config    Config
	// Logs are cloud-init's WARNING lines, in the order logged.
	Logs []LogLine
	// Notes are the sandbox's own remarks: defects cloud-init passes over
	// silently, and part types the sandbox does not model.
	Notes []string
}

// Consume splits raw and runs cloud-init's default part handlers over the
// parts (cloud-config merging, shell scripts, boothooks).
func Consume(raw []byte) *Result {
	parts, logs, notes := Split(raw)
	res := &Result{Parts: parts, Logs: logs, Notes: notes}
	merged := map[string]any{}
	for _, p := range parts {
		switch p.ContentType {
		case TypeShellScript:
			res.Scripts = append(res.Scripts, File{Name: CleanFilename(p.Filename), Data: dos2unix(p.Payload)})
		case TypeBoothook:
			data := dos2unix(p.Payload)
			data = bytes.TrimLeft(data, " \t\r\n")
			if len(data) >= len("#cloud-boothook") && strings.EqualFold(string(data[:len("#cloud-boothook")]), "#cloud-boothook") {
				data = data[len("#cloud-boothook"):]
			}
			res.Boothooks = append(res.Boothooks, File{Name: CleanFilename(p.Filename), Data: bytes.TrimLeft(data, " \t\r\n")})
		case TypeCloudConfig:
			doc, line := LoadCloudConfig(p.Payload)
			if line != nil {
				res.Logs = append(res.Logs, *line)
			}
			for _, k := range doc.keys {
				if _, seen := merged[k]; !seen {
					res.Config.Keys = append(res.Config.Keys, k)
				}
				merged[k] = doc.values[k]
			}
		default:
			if what, ok := notModelledTypes[p.ContentType]; ok {
				res.Notes = append(res.Notes, fmt.Sprintf("%s (%s) not modelled: %s", p.Filename, p.ContentType, what))
				continue
			}
			if len(p.Payload) == 0 {
				continue
			}
			start := firstLine(p.Payload, 24)
			if p.ContentType == typeNotMIME {
				res.Logs = append(res.Logs, LogLine{"__init__.py", fmt.Sprintf(
					"Unhandled non-multipart (%s) userdata: '%s...'", p.ContentType, start)})
			} else {
				res.Logs = append(res.Logs, LogLine{"__init__.py", fmt.Sprintf(
					"Unhandled unknown content-type (%s) userdata: '%s...'", p.ContentType, start)})
			}
		}
	}
	if v, ok := merged["cloud_final_modules"]; ok {
		mods, bad := parseModules(v)
		res.Config.FinalModules = mods
		if mods == nil {
			res.Config.FinalModules = []Module{}
		}
		for _, b := range bad {
			res.Logs = append(res.Logs, LogLine{"stages.py", b})
		}
	}
	return res
}

// cloudConfig is one parsed cloud-config document: its top-level keys in
// order, and their values.
type cloudConfig struct {
	keys   []string
	values map[string]any
}

// LoadCloudConfig parses a cloud-config payload as cloud-init's load_yaml
// does. A document that does not parse, or whose root is not a mapping,
// gives an empty config and the warning cloud-init logs.
func LoadCloudConfig(payload []byte) (cloudConfig, *LogLine) {
	doc := cloudConfig{values: map[string]any{}}
	var ms yaml.MapSlice
	if len(bytes.TrimSpace(stripComments(payload))) == 0 {
		return doc, nil
	}
	err := yaml.UnmarshalWithOptions(payload, &ms, yaml.UseOrderedMap())
	if err != nil {
		var root any
		if rerr := yaml.Unmarshal(payload, &root); rerr == nil && root != nil {
			// It parses, but not as a mapping.
			return doc, &LogLine{"util.py", fmt.Sprintf(
				"Failed loading yaml blob. Yaml load allows (<type 'dict'>,) root types, but got %s instead", pyTypeName(root))}
		}
		return doc, &LogLine{"util.py", yamlFailure(err)}
	}
	for _, item := range ms {
		k := fmt.Sprint(item.Key)
		if _, seen := doc.values[k]; !seen {
			doc.keys = append(doc.keys, k)
		}
		doc.values[k] = item.Value
	}
	return doc, nil
}

func yamlFailure(err error) string {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		pos := ye.GetToken().Position
		return fmt.Sprintf("Failed loading yaml blob. Invalid format at line %d column %d: %q",
			pos.Line, pos.Column, ye.GetMessage())
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return "Failed loading yaml blob. " + msg
}

func pyTypeName(v any) string {
	switch v.(type) {
	case []any:
		return "list"
	case string:
		return "str"
	case bool:
		return "bool"
	case float64:
		return "float"
	case int, int64, uint64, uint:
		return "int"
	}
	return fmt.Sprintf("%T", v)
}

func stripComments(b []byte) []byte {
	var out []byte
	for _, line := range bytes.Split(b, []byte("\n")) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			out = append(out, line...)
			out = append(out, '\n')
		}
	}
	return out
}

// parseModules reads a cloud_*_modules list as cloud-init's Modules class
// does: a name, or [name, frequency, args...], or {name:, frequency:}.
func parseModules(v any) (mods []Module, warnings []string) {
	list, ok := v.([]any)
	if !ok {
		return nil, []string{fmt.Sprintf("cloud_final_modules is a %s, not a list; no final module runs", pyTypeName(v))}
	}
	for _, item := range list {
		var m Module
		switch it := item.(type) {
		case string:
			m.Name = it
		case []any:
			if len(it) == 0 {
				continue
			}
			name, ok := it[0].(string)
			if !ok {
				continue
			}
			m.Name = name
			if len(it) > 1 && it[1] != nil {
				m.Frequency = fmt.Sprint(it[1])
			}
		case yaml.MapSlice:
			for _, kv := range it {
				switch fmt.Sprint(kv.Key) {
				case "name":
					m.Name = fmt.Sprint(kv.Value)
				case "frequency":
					m.Frequency = fmt.Sprint(kv.Value)
				}
			}
		case map[string]any:
			m.Name, _ = it["name"].(string)
			m.Frequency, _ = it["frequency"].(string)
		default:
			continue
		}
		m.Name = strings.ReplaceAll(strings.TrimSpace(m.Name), "_", "-")
		if m.Name == "" {
			continue
		}
		m.Frequency = strings.TrimSpace(m.Frequency)
		switch m.Frequency {
		case "", "always", "once-per-instance", "once":
		default:
			warnings = append(warnings, fmt.Sprintf("Config specified module %s has an unknown frequency %s", m.Name, m.Frequency))
			m.Frequency = ""
		}
		mods = append(mods, m)
	}
	return mods, warnings
}

// CleanFilename is cloud-init's clean_filename: "/" becomes "_" and any
// character outside [A-Za-z0-9_.()-] is dropped.
func CleanFilename(name string) string {
	var b strings.Builder
	for _, r := range strings.ReplaceAll(name, "/", "_") {
		if r == '_' || r == '-' || r == '.' || r == '(' || r == ')' ||
			(r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
	}
	out := strings.TrimSpace(b.String())
	if out == "" || out == "." || out == ".." {
		out = "part"
	}
	return out
}

func dos2unix(b []byte) []byte {
	if !bytes.Contains(b, []byte("\r\n")) {
		return b
	}
	return bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
}

// firstLine is cloud-init's _extract_first_or_bytes and string_escape: up
// to size characters of the first line, escaped as Python 2 prints them.
func firstLine(b []byte, size int) string {
	if len(b) > 4*size {
		b = b[:4*size]
	}
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	if len(b) > size {
		b = b[:size]
	}
	var sb strings.Builder
	for _, c := range b {
		switch {
		case c == '\\':
			sb.WriteString(`\\`)
		case c == '\'':
			sb.WriteString(`\'`)
		case c == '\t':
			sb.WriteString(`\t`)
		case c == '\r':
			sb.WriteString(`\r`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&sb, `\x%02x`, c)
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}
