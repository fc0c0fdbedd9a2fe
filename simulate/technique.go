package simulate

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Tactic is a MITRE ATT&CK tactic, as the technique IDs spell it.
type Tactic string

// The tactics irdrill's techniques use; "benign" is no tactic: ordinary
// activity that detections must stay quiet on.
const (
	InitialAccess   Tactic = "initial-access"
	Execution       Tactic = "execution"
	Persistence     Tactic = "persistence"
	DefenseEvasion  Tactic = "defense-evasion"
	CredentialAcc   Tactic = "credential-access"
	Discovery       Tactic = "discovery"
	Exfiltration    Tactic = "exfiltration"
	Impact          Tactic = "impact"
	PrivilegeEscal  Tactic = "privilege-escalation"
	Benign          Tactic = "benign"
	CommandControl  Tactic = "command-and-control"
	LateralMovement Tactic = "lateral-movement"
)

// mitreTactics maps tactics to their ATT&CK IDs.
var mitreTactics = map[Tactic]string{
	InitialAccess: "TA0001", Execution: "TA0002", Persistence: "TA0003", PrivilegeEscal: "TA0004",
	DefenseEvasion: "TA0005", CredentialAcc: "TA0006", Discovery: "TA0007", LateralMovement: "TA0008",
	CommandControl: "TA0011", Exfiltration: "TA0010", Impact: "TA0040",
}

// MITREID is the tactic's ATT&CK ID, or "" for Benign.
func (t Tactic) MITREID() string { return mitreTactics[t] }

// Phase is a lifecycle function of a technique.
type Phase func(ctx context.Context, r *Run) error

// Technique is one attack technique.
type Technique struct {
	// ID is aws.<tactic>.<name>, e.g. aws.impact.ec2-crypto-mining.
	ID          string
	Name        string
	Description string
	// Tactics are its MITRE ATT&CK tactics; the first is the one in the ID.
	Tactics []Tactic
	// MITRE are its ATT&CK technique IDs (T1496, T1078.004).
	MITRE []string
	// Parameters, with defaults.
	Parameters []Param
	// Telemetry lists the roles its activity shows in ("cloudtrail",
	// "vpc-flow", "dns", "guardduty").
	Telemetry []string
	// Idempotent: detonating twice does no harm.
	Idempotent bool

	// Warmup makes the prerequisites; it must be idempotent. Nil when
	// there are none.
	Warmup Phase
	// Detonate plays the technique.
	Detonate Phase
	// Revert undoes the detonation, leaving the prerequisites; nil when it
	// cannot be undone.
	Revert Phase
	// Cleanup removes everything the technique made, prerequisites
	// included. RemoveCreated, which works from the journal, is what most
	// techniques use.
	Cleanup Phase
}

// Tactic is the tactic named in the ID.
func (t *Technique) Tactic() Tactic {
	parts := strings.SplitN(t.ID, ".", 3)
	if len(parts) < 3 {
		return ""
	}
	return Tactic(parts[1])
}

var (
	idPattern    = regexp.MustCompile(`^aws\.([a-z]+(?:-[a-z]+)*)\.([a-z0-9]+(?:-[a-z0-9]+)*)$`)
	mitrePattern = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)
	paramPattern = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
)

// Validate checks the registry's rules for one technique.
func (t *Technique) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	m := idPattern.FindStringSubmatch(t.ID)
	if m == nil {
		bad("id %q: want aws.<tactic>.<name> in lower case", t.ID)
	}
	if t.Name == "" || t.Description == "" {
		bad("a name and a description are required")
	}
	if len(t.Tactics) == 0 {
		bad("no MITRE ATT&CK tactic")
	} else if m != nil && Tactic(m[1]) != t.Tactics[0] {
		bad("the id's tactic %q is not the first tactic %q", m[1], t.Tactics[0])
	}
	for _, ta := range t.Tactics {
		if ta != Benign && ta.MITREID() == "" {
			bad("unknown tactic %q", ta)
		}
	}
	if len(t.MITRE) == 0 {
		bad("no MITRE ATT&CK technique ID")
	}
	for _, id := range t.MITRE {
		if !mitrePattern.MatchString(id) {
			bad("MITRE technique ID %q: want T1234 or T1234.001", id)
		}
	}
	if t.Detonate == nil {
		bad("no Detonate")
	}
	if t.Cleanup == nil {
		bad("no Cleanup")
	}
	seen := map[string]bool{}
	for _, p := range t.Parameters {
		if !paramPattern.MatchString(p.Name) {
			bad("parameter %q: want lower case, digits and hyphens", p.Name)
		}
		if seen[p.Name] {
			bad("parameter %s declared twice", p.Name)
		}
		seen[p.Name] = true
		if p.Description == "" {
			bad("parameter %s has no description", p.Name)
		}
		if err := p.check(p.Default); err != nil {
			bad("parameter %s: default: %v", p.Name, err)
		}
	}
	for _, r := range t.Telemetry {
		switch r {
		case "cloudtrail", "vpc-flow", "dns", "guardduty":
		default:
			bad("telemetry %q: want cloudtrail, vpc-flow, dns or guardduty", r)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("technique %s: %w", t.ID, errors.Join(errs...))
	}
	return nil
}

// Registry holds techniques by ID.
type Registry struct {
	mu   sync.RWMutex
	byID map[string]*Technique
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{byID: map[string]*Technique{}} }

// ErrDuplicate is returned when an ID is registered twice.
var ErrDuplicate = errors.New("already registered")

// Register adds a technique after validating it; a second technique with
// the same ID is refused.
func (r *Registry) Register(t *Technique) error {
	if err := t.Validate(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.byID[t.ID]; dup {
		return fmt.Errorf("technique %s: %w", t.ID, ErrDuplicate)
	}
	r.byID[t.ID] = t
	return nil
}

// Lookup finds a technique by ID.
func (r *Registry) Lookup(id string) (*Technique, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if t, ok := r.byID[id]; ok {
		return t, nil
	}
	ids := make([]string, 0, len(r.byID))
	for k := range r.byID {
		ids = append(ids, k)
	}
	sort.Strings(ids)
	return nil, fmt.Errorf("no technique %q (irdrill techniques list shows them: %s)", id, strings.Join(ids, ", "))
}

// All lists the techniques sorted by ID.
func (r *Registry) All() []*Technique {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Technique, 0, len(r.byID))
	for _, t := range r.byID {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Techniques is the registry every technique folder registers into.
var Techniques = NewRegistry()

// Register adds a technique to Techniques; it is called from init, where
// a broken or duplicate technique must stop the program.
func Register(t *Technique) {
	if err := Techniques.Register(t); err != nil {
		panic(err)
	}
}

// Lookup finds a registered technique.
func Lookup(id string) (*Technique, error) { return Techniques.Lookup(id) }

// All lists the registered techniques.
func All() []*Technique { return Techniques.All() }
