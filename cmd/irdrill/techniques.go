package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/irdrill/irdrill/simulate"
	_ "github.com/irdrill/irdrill/simulate/techniques"
)

func newTechniquesCommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{
		Use:   "techniques",
		Short: "List and show the attack techniques irdrill can simulate",
		Example: `  irdrill techniques list
  irdrill techniques show aws.impact.ec2-crypto-mining`,
	})
	cmd.AddCommand(newTechniquesListCommand(), newTechniquesShowCommand())
	return cmd
}

func newTechniquesListCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the techniques with their MITRE ATT&CK tactics and technique IDs",
		Example: `  irdrill techniques list
  irdrill techniques list --output json | jq -r '.[].id'`,
		Args:    noArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error { return checkOneOf(cmd, "output", "text", "json")() },
		RunE: func(cmd *cobra.Command, _ []string) error {
			return printTechniques(cmd.OutOrStdout(), simulate.All(), output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}

func newTechniquesShowCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show a technique: description, MITRE IDs, parameters with defaults, telemetry",
		Example: `  irdrill techniques show aws.impact.ec2-crypto-mining
  irdrill techniques show aws.defense-evasion.cloudtrail-stop --output json`,
		Args:    exactArgs(1, "one technique ID (irdrill techniques list shows them)"),
		PreRunE: func(cmd *cobra.Command, _ []string) error { return checkOneOf(cmd, "output", "text", "json")() },
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := simulate.Lookup(args[0])
			if err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(cmd.OutOrStdout(), techniqueOut(t))
			}
			if output != "text" && output != "" {
				return fmt.Errorf("--output %q: want text or json", output)
			}
			return showTechnique(cmd.OutOrStdout(), t)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}

type techniqueJSON struct {
	ID          string           `json:"id"`
	Name        string           `json:"name"`
	Description string           `json:"description"`
	Tactics     []string         `json:"tactics"`
	TacticIDs   []string         `json:"tacticIds"`
	MITRE       []string         `json:"mitre"`
	Telemetry   []string         `json:"telemetry"`
	Parameters  []simulate.Param `json:"parameters"`
	Revertible  bool             `json:"revertible"`
	Idempotent  bool             `json:"idempotent"`
}

func techniqueOut(t *simulate.Technique) techniqueJSON {
	out := techniqueJSON{ID: t.ID, Name: t.Name, Description: t.Description, MITRE: t.MITRE, Telemetry: t.Telemetry,
		Parameters: t.Parameters, Revertible: t.Revert != nil, Idempotent: t.Idempotent, Tactics: []string{}, TacticIDs: []string{}}
	if out.Parameters == nil {
		out.Parameters = []simulate.Param{}
	}
	for _, ta := range t.Tactics {
		out.Tactics = append(out.Tactics, string(ta))
		if id := ta.MITREID(); id != "" {
			out.TacticIDs = append(out.TacticIDs, id)
		}
	}
	return out
}

func printTechniques(w io.Writer, ts []*simulate.Technique, output string) error {
	switch output {
	case "json":
		out := make([]techniqueJSON, len(ts))
		for i, t := range ts {
			out[i] = techniqueOut(t)
		}
		return writeJSON(w, out)
	case "text", "":
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTACTICS\tMITRE\tNAME")
		for _, t := range ts {
			tactics := make([]string, len(t.Tactics))
			for i, ta := range t.Tactics {
				tactics[i] = string(ta)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.ID, strings.Join(tactics, ","), strings.Join(t.MITRE, ","), t.Name)
		}
		return tw.Flush()
	}
	return fmt.Errorf("--output %q: want text or json", output)
}

func showTechnique(w io.Writer, t *simulate.Technique) error {
	o := techniqueOut(t)
	fmt.Fprintf(w, "%s\n  %s\n\n%s\n\n", t.ID, t.Name, wrap(t.Description, 78))
	tactics := make([]string, len(t.Tactics))
	for i, ta := range t.Tactics {
		tactics[i] = string(ta)
		if id := ta.MITREID(); id != "" {
			tactics[i] += " (" + id + ")"
		}
	}
	fmt.Fprintf(w, "MITRE ATT&CK  %s\n  tactics     %s\n", strings.Join(t.MITRE, ", "), strings.Join(tactics, ", "))
	fmt.Fprintf(w, "telemetry     %s\n", strings.Join(t.Telemetry, ", "))
	fmt.Fprintf(w, "revertible    %t\nidempotent    %t\n", o.Revertible, o.Idempotent)
	if len(t.Parameters) > 0 {
		fmt.Fprintln(w, "\nparameters (--param name=value)")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, p := range t.Parameters {
			def := p.Default
			if def == "" {
				def = `""`
			}
			fmt.Fprintf(tw, "  %s\t%s\tdefault %s\t%s\n", p.Name, p.Type, def, p.Description)
		}
		return tw.Flush()
	}
	return nil
}

func wrap(s string, width int) string {
	var b strings.Builder
	line := 0
	for _, word := range strings.Fields(s) {
		if line > 0 && line+1+len(word) > width {
			b.WriteByte('\n')
			line = 0
		} else if line > 0 {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += len(word)
	}
	return b.String()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
