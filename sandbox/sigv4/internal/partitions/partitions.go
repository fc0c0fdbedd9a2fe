// Package partitions reads the partition metadata that aws-sdk-go-v2 ships
// in its module (internal/endpoints/awsrulesfn/partitions.json), for the
// region list generator and the test that keeps the list in step with the
// SDK.
package partitions

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// ReadSDKFile returns partitions.json of the aws-sdk-go-v2 this module
// builds with, found through the go command.
func ReadSDKFile() ([]byte, error) {
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-sdk-go-v2").Output()
	if err != nil {
		return nil, fmt.Errorf("locate aws-sdk-go-v2: %w", err)
	}
	return os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "internal", "endpoints", "awsrulesfn", "partitions.json"))
}

// Regions lists a partition's regions from the SDK's partitions.json,
// sorted, without the "<partition>-global" pseudo-region.
func Regions(partitionsJSON []byte, partition string) ([]string, error) {
	var doc struct {
		Partitions []struct {
			ID      string                     `json:"id"`
			Regions map[string]json.RawMessage `json:"regions"`
		} `json:"partitions"`
	}
	if err := json.Unmarshal(partitionsJSON, &doc); err != nil {
		return nil, fmt.Errorf("partitions.json: %w", err)
	}
	for _, p := range doc.Partitions {
		if p.ID != partition {
			continue
		}
		var names []string
		for name := range p.Regions {
			if name != partition+"-global" {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		return names, nil
	}
	return nil, fmt.Errorf("partitions.json has no partition %q", partition)
}
