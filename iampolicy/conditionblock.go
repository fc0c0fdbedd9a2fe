package iampolicy

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// parseConditionBlock compiles {"Operator": {"key": value-or-values}}.
// Several operators, and several keys under one operator, AND together.
func parseConditionBlock(v any, variables bool, loc string) ([]condition, error) {
	block, ok := v.(map[string]any)
	if !ok {
		return nil, errSyntax(loc)
	}
	ops := make([]string, 0, len(block))
	for op := range block {
		ops = append(ops, op)
	}
	sort.Strings(ops) // deterministic errors and evaluation order
	var conds []condition
	for _, opName := range ops {
		oloc := loc + "." + opName
		spec, set, ifExists, ok := parseOperator(opName)
		if !ok {
			return nil, malformed(oloc, "Invalid Condition type : %s", opName)
		}
		keys, ok := block[opName].(map[string]any)
		if !ok {
			return nil, errSyntax(oloc)
		}
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, key := range names {
			kloc := oloc + "." + key
			if !strings.Contains(key, ":") {
				return nil, malformed(kloc, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
			}
			canonical, supported := canonicalKey(key)
			if !supported {
				return nil, unsupportedKey(kloc, key)
			}
			raws, err := conditionValues(keys[key], kloc)
			if err != nil {
				return nil, err
			}
			c := condition{op: spec, set: set, ifExists: ifExists, key: canonical}
			for i, raw := range raws {
				cv, unknown := compileConditionValue(spec, raw, variables)
				if unknown != "" {
					return nil, unsupportedKey(fmt.Sprintf("%s[%d]", kloc, i), unknown)
				}
				c.values = append(c.values, cv)
			}
			conds = append(conds, c)
		}
	}
	return conds, nil
}

// conditionValues accepts a string, number or boolean, or an array of them;
// IAM reads them all as strings (true becomes "true").
func conditionValues(v any, loc string) ([]string, error) {
	scalar := func(e any) (string, bool) {
		switch t := e.(type) {
		case string:
			return t, true
		case json.Number:
			return t.String(), true
		case bool:
			if t {
				return "true", true
			}
			return "false", true
		}
		return "", false
	}
	if s, ok := scalar(v); ok {
		return []string{s}, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, errSyntax(loc)
	}
	out := make([]string, 0, len(list))
	for i, e := range list {
		s, ok := scalar(e)
		if !ok {
			return nil, errSyntax(fmt.Sprintf("%s[%d]", loc, i))
		}
		out = append(out, s)
	}
	return out, nil
}
