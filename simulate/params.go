package simulate

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ParamType is a parameter's type.
type ParamType string

const (
	TypeString   ParamType = "string"
	TypeInt      ParamType = "int"
	TypeBool     ParamType = "bool"
	TypeDuration ParamType = "duration"
	TypeIP       ParamType = "ip"
	TypeEnum     ParamType = "enum"
)

// Param is one parameter of a technique.
type Param struct {
	Name        string    `json:"name"`
	Type        ParamType `json:"type"`
	Default     string    `json:"default"`
	Description string    `json:"description"`
	// Enum lists the values of a TypeEnum parameter.
	Enum []string `json:"enum,omitempty"`
	// Min and Max bound a TypeInt parameter (when Max > 0).
	Min int `json:"min,omitempty"`
	Max int `json:"max,omitempty"`
}

// check validates a value of the parameter.
func (p Param) check(v string) error {
	switch p.Type {
	case TypeString, "":
		return nil
	case TypeInt:
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("want an integer, not %q", v)
		}
		if n < p.Min || (p.Max > 0 && n > p.Max) {
			if p.Max > 0 {
				return fmt.Errorf("want %d to %d, not %d", p.Min, p.Max, n)
			}
			return fmt.Errorf("want at least %d, not %d", p.Min, n)
		}
	case TypeBool:
		if _, err := strconv.ParseBool(v); err != nil {
			return fmt.Errorf("want true or false, not %q", v)
		}
	case TypeDuration:
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("want a duration such as 90s or 1h, not %q", v)
		}
	case TypeIP:
		if _, err := netip.ParseAddr(v); err != nil {
			return fmt.Errorf("want an IP address, not %q", v)
		}
	case TypeEnum:
		if !slices.Contains(p.Enum, v) {
			return fmt.Errorf("want one of %s, not %q", strings.Join(p.Enum, ", "), v)
		}
	default:
		return fmt.Errorf("unknown type %q", p.Type)
	}
	return nil
}

// ParseParamFlags reads repeated --param name=value flags. A name given
// twice, or a flag without "=", is an error.
func ParseParamFlags(flags []string) (map[string]string, error) {
	out := map[string]string{}
	for _, f := range flags {
		name, value, ok := strings.Cut(f, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("--param %q: want name=value", f)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("--param %s given twice", name)
		}
		out[name] = value
	}
	return out, nil
}

// Params are a technique's parameter values: the defaults, overridden by
// what the user gave, all validated.
type Params struct {
	defs   []Param
	values map[string]string
}

// ResolveParams validates the given values against the technique's
// parameters and fills in the defaults. An unknown name is refused.
func (t *Technique) ResolveParams(given map[string]string) (Params, error) {
	p := Params{defs: t.Parameters, values: map[string]string{}}
	for _, d := range t.Parameters {
		p.values[d.Name] = d.Default
	}
	names := make([]string, 0, len(given))
	for n := range given {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		i := slices.IndexFunc(t.Parameters, func(d Param) bool { return d.Name == n })
		if i < 0 {
			known := make([]string, len(t.Parameters))
			for j, d := range t.Parameters {
				known[j] = d.Name
			}
			if len(known) == 0 {
				return Params{}, fmt.Errorf("--param %s: %s has no parameters", n, t.ID)
			}
			return Params{}, fmt.Errorf("--param %s: %s has no such parameter (it has %s)", n, t.ID, strings.Join(known, ", "))
		}
		if err := t.Parameters[i].check(given[n]); err != nil {
			return Params{}, fmt.Errorf("--param %s=%s: %w", n, given[n], err)
		}
		p.values[n] = given[n]
	}
	return p, nil
}

// Map is every value by name.
func (p Params) Map() map[string]string {
	out := make(map[string]string, len(p.values))
	for k, v := range p.values {
		out[k] = v
	}
	return out
}

// String is the named value; a technique asking for a parameter it did not
// declare is a programming error.
func (p Params) String(name string) string {
	v, ok := p.values[name]
	if !ok {
		panic("simulate: undeclared parameter " + name)
	}
	return v
}

// Int is the named integer value (validated when resolved).
func (p Params) Int(name string) int {
	n, _ := strconv.Atoi(p.String(name))
	return n
}

// Bool is the named boolean value.
func (p Params) Bool(name string) bool {
	b, _ := strconv.ParseBool(p.String(name))
	return b
}

// Duration is the named duration value.
func (p Params) Duration(name string) time.Duration {
	d, _ := time.ParseDuration(p.String(name))
	return d
}
