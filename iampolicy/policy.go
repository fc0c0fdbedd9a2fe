package iampolicy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Kind selects the validation rules of the API that received the document.
type Kind int

const (
	// IdentityPolicy is attached to a user, group or role: no Principal,
	// Resource required.
	IdentityPolicy Kind = iota
	// TrustPolicy is a role's AssumeRolePolicyDocument: Principal required,
	// no Resource.
	TrustPolicy
)

func (k Kind) String() string {
	switch k {
	case IdentityPolicy:
		return "IdentityPolicy"
	case TrustPolicy:
		return "TrustPolicy"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// The policy language versions IAM accepts. A document without Version is
// read as VersionLegacy, which notably does not substitute policy variables.
const (
	Version2012    = "2012-10-17"
	VersionLegacy  = "2008-10-17"
	versionMissing = ""
)

// MalformedPolicyError is the MalformedPolicyDocument error IAM returns.
// Message is IAM's text; Location says where in the document the problem is
// (for example "Statement[1].Condition.StringLike"), which IAM does not, so
// that drill participants can find it.
type MalformedPolicyError struct {
	Message  string
	Location string
}

// Error returns IAM's message only, so handlers can return it verbatim.
func (e *MalformedPolicyError) Error() string { return e.Message }

// Policy is a parsed, validated policy. It is immutable and safe for
// concurrent use.
type Policy struct {
	document   string
	kind       Kind
	version    string
	id         string
	statements []statement
}

// Document returns the JSON text the policy was parsed from, unchanged.
func (p *Policy) Document() string { return p.document }

// Kind returns the rules the policy was validated against.
func (p *Policy) Kind() Kind { return p.kind }

// Version returns the policy's Version element, or "" when it had none.
func (p *Policy) Version() string { return p.version }

// ID returns the policy's optional Id element.
func (p *Policy) ID() string { return p.id }

// Sids returns the statement ids in document order ("" for statements without one).
func (p *Policy) Sids() []string {
	sids := make([]string, len(p.statements))
	for i := range p.statements {
		sids[i] = p.statements[i].sid
	}
	return sids
}

type statement struct {
	sid          string
	deny         bool
	notAction    bool
	actions      []pattern
	hasResource  bool
	notResource  bool
	resources    []pattern
	principals   *principalSet
	notPrincipal bool
	conditions   []condition
}

var (
	topLevelFields  = []string{"Version", "Id", "Statement"}
	statementFields = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)

func malformed(location, format string, args ...any) *MalformedPolicyError {
	return &MalformedPolicyError{Message: fmt.Sprintf(format, args...), Location: location}
}

// errSyntax is IAM's answer to anything that is not a well-formed policy
// structure (bad JSON, wrong JSON types).
func errSyntax(location string) *MalformedPolicyError {
	return malformed(location, "Syntax errors in policy.")
}

// Parse validates a policy document as IAM does at CreatePolicy,
// Put*Policy, CreateRole and UpdateAssumeRolePolicy time, and compiles it for
// evaluation. Errors are *MalformedPolicyError. Size limits are checked
// separately by CheckSize because they depend on where the policy goes.
func Parse(document string, kind Kind) (*Policy, error) {
	if kind != IdentityPolicy && kind != TrustPolicy {
		return nil, fmt.Errorf("iampolicy: unknown policy kind %d", int(kind))
	}
	root, err := decodeJSON(document)
	if err != nil {
		return nil, err
	}
	top, ok := root.(map[string]any)
	if !ok {
		return nil, errSyntax("")
	}
	if err := checkFields(top, topLevelFields, ""); err != nil {
		return nil, err
	}
	p := &Policy{document: document, kind: kind}
	if v, present := top["Version"]; present {
		s, ok := v.(string)
		if !ok {
			return nil, errSyntax("Version")
		}
		if s != Version2012 && s != VersionLegacy {
			// IAM falls back to its legacy grammar for unknown versions and
			// reports this when that fails too.
			return nil, malformed("Version", "The policy failed legacy parsing")
		}
		p.version = s
	}
	if v, present := top["Id"]; present {
		s, ok := v.(string)
		if !ok {
			return nil, errSyntax("Id")
		}
		p.id = s
	}
	rawStatements, present := top["Statement"]
	if !present {
		return nil, malformed("", "Missing required field Statement")
	}
	var list []any
	switch st := rawStatements.(type) {
	case map[string]any:
		list = []any{st}
	case []any:
		list = st
	default:
		return nil, errSyntax("Statement")
	}
	if len(list) == 0 {
		return nil, malformed("Statement", "Missing required field Statement")
	}
	variables := p.version == Version2012
	seenSids := make(map[string]bool)
	p.statements = make([]statement, 0, len(list))
	for i, raw := range list {
		loc := fmt.Sprintf("Statement[%d]", i)
		obj, ok := raw.(map[string]any)
		if !ok {
			return nil, errSyntax(loc)
		}
		st, err := parseStatement(obj, kind, variables, loc)
		if err != nil {
			return nil, err
		}
		if st.sid != "" {
			if seenSids[st.sid] {
				return nil, malformed(loc+".Sid", "Statement IDs (SID) in a single policy must be unique.")
			}
			seenSids[st.sid] = true
		}
		p.statements = append(p.statements, st)
	}
	return p, nil
}

// decodeJSON reads exactly one JSON value. Numbers stay as written so that
// condition values such as "NumericLessThan": {"k": 3600} keep their text.
func decodeJSON(document string) (any, error) {
	if !json.Valid([]byte(document)) {
		return nil, errSyntax("")
	}
	dec := json.NewDecoder(strings.NewReader(document))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return nil, errSyntax("")
	}
	if err := rejectDuplicateKeys(document); err != nil {
		return nil, err
	}
	return root, nil
}

// rejectDuplicateKeys refuses objects that repeat a member name: Go's decoder
// would silently keep the last one, hiding e.g. a second "Effect".
// Approximation: IAM's exact message for this case is not documented; it is
// reported as a syntax error.
func rejectDuplicateKeys(document string) error {
	dec := json.NewDecoder(bytes.NewReader([]byte(document)))
	type frame struct {
		object bool
		keys   map[string]bool
		expect bool // next string token in an object is a key
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // the document was already validated; EOF ends the walk
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				if n := len(stack); n > 0 && stack[n-1].object {
					stack[n-1].expect = true
				}
				stack = append(stack, frame{object: true, keys: map[string]bool{}, expect: true})
			case '[':
				if n := len(stack); n > 0 && stack[n-1].object {
					stack[n-1].expect = true
				}
				stack = append(stack, frame{})
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		}
		n := len(stack)
		if n == 0 || !stack[n-1].object {
			continue
		}
		top := &stack[n-1]
		if top.expect {
			key, _ := tok.(string)
			if top.keys[key] {
				return malformed("", "Syntax errors in policy. Duplicate field %s", key)
			}
			top.keys[key] = true
			top.expect = false
		} else {
			top.expect = true
		}
	}
}

// checkFields reports the first member that is not a policy element. Element
// names are case-sensitive in IAM.
func checkFields(obj map[string]any, allowed []string, location string) error {
	var unknown []string
	for k := range obj {
		found := false
		for _, a := range allowed {
			if k == a {
				found = true
				break
			}
		}
		if !found {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	// Report deterministically whatever the map order.
	first := unknown[0]
	for _, k := range unknown[1:] {
		if k < first {
			first = k
		}
	}
	return malformed(joinLocation(location, first), "Unknown field %s", first)
}

func joinLocation(base, field string) string {
	if base == "" {
		return field
	}
	return base + "." + field
}

func parseStatement(obj map[string]any, kind Kind, variables bool, loc string) (statement, error) {
	var st statement
	if err := checkFields(obj, statementFields, loc); err != nil {
		return st, err
	}
	if v, present := obj["Sid"]; present {
		s, ok := v.(string)
		if !ok {
			return st, errSyntax(loc + ".Sid")
		}
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
				return st, malformed(loc+".Sid", "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*")
			}
		}
		st.sid = s
	}

	effect, present := obj["Effect"]
	if !present {
		return st, malformed(loc, "Missing required field Effect")
	}
	switch effect {
	case "Allow":
	case "Deny":
		st.deny = true
	default:
		if s, ok := effect.(string); ok {
			return st, malformed(loc+".Effect", "Invalid effect: %s", s)
		}
		return st, errSyntax(loc + ".Effect")
	}

	if err := parseActions(obj, &st, loc); err != nil {
		return st, err
	}
	if err := parseResources(obj, &st, kind, variables, loc); err != nil {
		return st, err
	}
	if err := parsePrincipals(obj, &st, kind, loc); err != nil {
		return st, err
	}
	if v, present := obj["Condition"]; present {
		conds, err := parseConditionBlock(v, variables, loc+".Condition")
		if err != nil {
			return st, err
		}
		st.conditions = conds
	}
	return st, nil
}

// stringList accepts IAM's "a string or an array of strings".
func stringList(v any, loc string) ([]string, error) {
	switch t := v.(type) {
	case string:
		return []string{t}, nil
	case []any:
		out := make([]string, 0, len(t))
		for i, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, errSyntax(fmt.Sprintf("%s[%d]", loc, i))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, errSyntax(loc)
}

func parseActions(obj map[string]any, st *statement, loc string) error {
	action, hasAction := obj["Action"]
	notAction, hasNotAction := obj["NotAction"]
	field := "Action"
	switch {
	case hasAction && hasNotAction:
		return malformed(loc, "Syntax errors in policy. Statement has both Action and NotAction")
	case hasNotAction:
		action, field, st.notAction = notAction, "NotAction", true
	case !hasAction:
		return malformed(loc, "Policy statement must contain actions.")
	}
	values, err := stringList(action, loc+"."+field)
	if err != nil {
		return err
	}
	if len(values) == 0 {
		return malformed(loc+"."+field, "Policy statement must contain actions.")
	}
	for i, a := range values {
		if err := validateAction(a, fmt.Sprintf("%s.%s[%d]", loc, field, i)); err != nil {
			return err
		}
		// Actions never take policy variables; matching is case-insensitive.
		p, _ := compilePattern(a, true, false)
		st.actions = append(st.actions, p)
	}
	return nil
}

// validateAction applies IAM's "service:action" rule. Approximation: IAM also
// rejects actions a service does not have only for some services; the sandbox
// accepts any well-formed name.
func validateAction(a, loc string) error {
	if a == "*" {
		return nil
	}
	vendor, name, found := strings.Cut(a, ":")
	if !found || vendor == "" {
		return malformed(loc, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
	}
	for i := 0; i < len(vendor); i++ {
		c := vendor[i]
		if c == '*' || c == '?' {
			return malformed(loc, "Action vendors must not contain wildcards: %s", a)
		}
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return malformed(loc, "Policy has invalid action: %s", a)
		}
	}
	if name == "" {
		return malformed(loc, "Policy has invalid action: %s", a)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '*' || c == '?' || c == '-' || c == '_') {
			return malformed(loc, "Policy has invalid action: %s", a)
		}
	}
	return nil
}

var knownPartitions = map[string]bool{"aws": true, "aws-cn": true, "aws-us-gov": true, "aws-iso": true, "aws-iso-b": true, "aws-iso-e": true, "aws-iso-f": true, "aws-eusc": true}

func parseResources(obj map[string]any, st *statement, kind Kind, variables bool, loc string) error {
	resource, hasResource := obj["Resource"]
	notResource, hasNotResource := obj["NotResource"]
	if kind == TrustPolicy {
		// A trust policy's resource is the role itself.
		switch {
		case hasResource:
			return malformed(loc+".Resource", "Has prohibited field Resource")
		case hasNotResource:
			return malformed(loc+".NotResource", "Has prohibited field NotResource")
		}
		return nil
	}
	field := "Resource"
	switch {
	case hasResource && hasNotResource:
		return malformed(loc, "Syntax errors in policy. Statement has both Resource and NotResource")
	case hasNotResource:
		resource, field, st.notResource = notResource, "NotResource", true
	case !hasResource:
		return malformed(loc, "Policy statement must contain resources.")
	}
	values, err := stringList(resource, loc+"."+field)
	if err != nil {
		return err
	}
	if len(values) == 0 {
		return malformed(loc+"."+field, "Policy statement must contain resources.")
	}
	st.hasResource = true
	for i, r := range values {
		rloc := fmt.Sprintf("%s.%s[%d]", loc, field, i)
		if r != "*" {
			fields := strings.SplitN(r, ":", 3)
			if len(fields) < 3 || fields[0] != "arn" {
				return malformed(rloc, "Resource %s must be in ARN format or \"*\".", r)
			}
			if partition := fields[1]; !strings.ContainsAny(partition, "*?$") && !knownPartitions[partition] {
				return malformed(rloc, "Partition \"%s\" is not valid for resource \"%s\".", partition, r)
			}
		}
		p, unknown := compilePattern(r, true, variables)
		if unknown != "" {
			return unsupportedKey(rloc, unknown)
		}
		st.resources = append(st.resources, p)
	}
	return nil
}

func unsupportedKey(loc, key string) error {
	return malformed(loc, "Condition key %s is not supported by the irdrill sandbox (supported: %s)", key, strings.Join(supportedKeys, ", "))
}
