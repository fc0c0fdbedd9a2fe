package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/irdrill/irdrill/internal/buildinfo"
)

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print irdrill's version, and the revision it was built from",
		Long: `Print irdrill's version: the module version of a release (go install
…@v1.2.3), or, for a build from a checkout, the VCS revision with -dirty when
the work tree had uncommitted changes; then the build's details.`,
		Example: `  irdrill version
  docker run --rm irdrill:dev version`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := buildinfo.Read()
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "irdrill %s\n", info.Version)
			if info.Revision != "" {
				state := "clean"
				if info.Modified {
					state = "uncommitted changes"
				}
				fmt.Fprintf(w, "  revision %s (%s)", info.Revision, state)
				if info.Time != "" {
					fmt.Fprintf(w, ", committed %s", info.Time)
				}
				fmt.Fprintln(w)
			}
			if info.Version == "dev" {
				fmt.Fprintln(w, "  built without version or VCS information: go run and go test record none, nor go build with -buildvcs=false or in a git worktree; make build stamps git describe")
			}
			if info.Module != "" {
				fmt.Fprintln(w, strings.TrimRight("  module   "+info.Module+" "+info.ModuleVersion, " "))
			}
			_, err := fmt.Fprintf(w, "  built with %s for %s\n", info.GoVersion, info.Platform)
			return err
		},
	}
}
