package iampolicy

import (
	"sync"
	"testing"
)

// Parsed policies are shared by every request the sandbox serves; run under
// -race this fails if evaluation writes to a Policy.
func TestConcurrentEvaluation(t *testing.T) {
	p := mustParse(t, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:*AccessKey*","Resource":"arn:aws:iam::123456789012:user/${aws:username}"},
		{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-03-01T12:00:00Z"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`, IdentityPolicy)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			user := []string{"alice", "bob"}[g%2]
			for i := 0; i < 200; i++ {
				req := Request{Action: "iam:CreateAccessKey", Resource: "arn:aws:iam::123456789012:user/alice",
					Context: map[string][]string{"aws:username": {user}, "aws:SourceIp": {"192.0.2.1"}}}
				want := ImplicitDeny
				if user == "alice" {
					want = Allow
				}
				if got := Evaluate(req, p); got != want {
					t.Errorf("%s: got %v, want %v", user, got, want)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}
