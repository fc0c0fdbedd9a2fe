package detect

import (
	"context"
	"path/filepath"
	"testing"
)

func TestEvaluate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	attackFixture(t, dir)
	writeFile(t, filepath.Join(dir, "guardduty.jsonl"),
		`{"id":"a","type":"CryptoCurrency:EC2/BitcoinTool.B!DNS","severity":8,"resource":{"instanceDetails":{"instanceId":"i-1","networkInterfaces":[{"publicIp":"1.1.1.1"},{"publicIp":"2.2.2.2"}]}}}
{"id":"b","type":"CryptoCurrency:EC2/BitcoinTool.B!DNS","severity":5,"resource":{"instanceDetails":{"instanceId":"i-2"}}}
`)
	src, err := OpenFixtures(dir)
	if err != nil {
		t.Fatal(err)
	}
	head := "id: t.x\ntitle: t\nseverity: low\nmitre: [T1496]\n"
	tests := []struct {
		name       string
		src        string
		values     map[string]string
		fired      bool
		rows, retd int
	}{
		{"insights, default: one row fires", sourceIPDetection, nil, true, 4, 4},
		{"insights, another address", sourceIPDetection, map[string]string{"attacker_ip": "192.0.2.1"}, false, 0, 0},
		{"insights, min_rows not reached", sourceIPDetection + "fires:\n  min_rows: 5\n", nil, false, 4, 4},
		{"insights, field must hold a value", sourceIPDetection + "fires:\n  field: errorCode\n  value: AccessDenied\n", nil, true, 2, 4},
		{"insights, field must be present", sourceIPDetection + "fires:\n  field: errorCode\n  min_rows: 3\n", nil, false, 2, 4},
		{"insights, field value from a parameter", head + "telemetry: cloudtrail\nparameters:\n  who: arn:aws:iam::999999999999:user/admin\ninsights: fields eventName, userIdentity.arn\nfires:\n  field: userIdentity.arn\n  value: ${who}\n", nil, true, 1, 5},
		{"insights, stats", head + "telemetry: cloudtrail\ninsights: filter eventName = \"RunInstances\" | stats count_distinct(requestParameters.subnetId) as subnets by userIdentity.accessKeyId | filter subnets >= 2\n", nil, true, 1, 1},
		{"filter pattern", head + "telemetry: cloudtrail\nfilter_pattern: AccessDenied\n", nil, true, 2, 2},
		{"filter pattern, JSON field in the message", head + "telemetry: cloudtrail\nfilter_pattern: '{ $.eventSource = \"ec2.amazonaws.com\" }'\nfires:\n  field: requestParameters.subnetId\n  value: subnet-b\n", nil, true, 1, 2},
		{"filter pattern, nothing", head + "telemetry: cloudtrail\nfilter_pattern: DeleteTrail\n", nil, false, 0, 0},
		{"finding criteria", head + "telemetry: guardduty\nfinding_criteria: '{\"Criterion\":{\"type\":{\"Eq\":[\"CryptoCurrency:EC2/BitcoinTool.B!DNS\"]}}}'\n", nil, true, 2, 2},
		{"finding criteria, field over an array", head + "telemetry: guardduty\nfinding_criteria: '{\"Criterion\":{\"severity\":{\"Gte\":7}}}'\nfires:\n  field: resource.instanceDetails.networkInterfaces.publicIp\n  value: 2.2.2.2\n", nil, true, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := detection(t, tt.src).Bind(tt.values)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Evaluate(ctx, src, b, Window{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Fired != tt.fired || res.Rows != tt.rows || res.Returned != tt.retd || len(res.Evidence) != tt.rows {
				t.Errorf("fired %v rows %d returned %d evidence %d; want %v %d %d", res.Fired, res.Rows, res.Returned, len(res.Evidence), tt.fired, tt.rows, tt.retd)
			}
		})
	}
	// Findings keep their JSON and a summary.
	b := detection(t, head+"telemetry: guardduty\nfinding_criteria: '{\"Criterion\":{\"severity\":{\"Gte\":7}}}'\n").MustBind(nil)
	res, _ := Evaluate(ctx, src, b, Window{})
	if v, ok := res.Evidence[0].Get("resource.instanceDetails.instanceId"); !ok || v != "i-1" || res.Evidence[0].Message == "" {
		t.Errorf("finding row %+v", res.Evidence[0])
	}
}
