package iampolicy

import "testing"

func TestEvaluateTrust(t *testing.T) {
	const acct = "123456789012"
	user := &Principal{Type: "AWS", ARN: "arn:aws:iam::123456789012:user/pipeline", Account: acct}
	otherUser := &Principal{Type: "AWS", ARN: "arn:aws:iam::123456789012:user/integration", Account: acct}
	session := &Principal{Type: "AWS", ARN: "arn:aws:sts::123456789012:assumed-role/SecurityDeployRole/s1", RoleARN: "arn:aws:iam::123456789012:role/SecurityDeployRole", Account: acct}
	foreign := &Principal{Type: "AWS", ARN: "arn:aws:iam::210987654321:user/mallory", Account: "210987654321"}
	ec2 := &Principal{Type: "Service", ARN: "ec2.amazonaws.com"}
	lambda := &Principal{Type: "Service", ARN: "lambda.amazonaws.com"}
	saml := &Principal{Type: "Federated", ARN: "arn:aws:iam::123456789012:saml-provider/Okta", Account: acct}

	labTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	accountTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}`
	rootTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
	userTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:user/pipeline"]},"Action":["sts:AssumeRole","sts:TagSession"]}]}`
	roleTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/SecurityDeployRole"},"Action":"sts:AssumeRole"}]}`
	sessionTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::123456789012:assumed-role/SecurityDeployRole/s1"},"Action":"sts:AssumeRole"}]}`
	everyone := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`
	awsStar := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}}]}`
	externalID := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"210987654321"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"drill-42"}}}]}`
	denyUser := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:user/integration"},"Action":"sts:*"}]}`
	notPrincipal := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"},{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/pipeline"},"Action":"sts:AssumeRole"}]}`
	federated := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/Okta"},"Action":"sts:AssumeRoleWithSAML"}]}`

	tests := []struct {
		name      string
		doc       string
		principal *Principal
		action    string
		ctx       ctx
		want      Decision
	}{
		{"lab trust: ec2 service", labTrust, ec2, "sts:AssumeRole", nil, Allow},
		{"lab trust: other service", labTrust, lambda, "sts:AssumeRole", nil, ImplicitDeny},
		{"lab trust: user", labTrust, user, "sts:AssumeRole", nil, ImplicitDeny},
		{"lab trust: other action", labTrust, ec2, "sts:AssumeRoleWithSAML", nil, ImplicitDeny},
		{"account id: user", accountTrust, user, "sts:AssumeRole", nil, Allow},
		{"account id: role session", accountTrust, session, "sts:AssumeRole", nil, Allow},
		{"account id: foreign", accountTrust, foreign, "sts:AssumeRole", nil, ImplicitDeny},
		{"account id: service", accountTrust, ec2, "sts:AssumeRole", nil, ImplicitDeny},
		{"account root: user", rootTrust, user, "sts:AssumeRole", nil, Allow},
		{"account root: foreign", rootTrust, foreign, "sts:AssumeRole", nil, ImplicitDeny},
		{"user: named", userTrust, user, "sts:AssumeRole", nil, Allow},
		{"user: tag session", userTrust, user, "sts:TagSession", nil, Allow},
		{"user: other user", userTrust, otherUser, "sts:AssumeRole", nil, ImplicitDeny},
		{"user: action case-insensitive", userTrust, user, "STS:assumerole", nil, Allow},
		{"role: its session", roleTrust, session, "sts:AssumeRole", nil, Allow},
		{"role: user", roleTrust, user, "sts:AssumeRole", nil, ImplicitDeny},
		{"session ARN", sessionTrust, session, "sts:AssumeRole", nil, Allow},
		{"everyone: foreign", everyone, foreign, "sts:AssumeRole", nil, Allow},
		{"everyone: anonymous", everyone, nil, "sts:AssumeRole", nil, Allow},
		{"AWS star with account condition", awsStar, user, "sts:AssumeRole", ctx{"aws:PrincipalAccount": {"123456789012"}}, Allow},
		{"AWS star with account condition: foreign", awsStar, foreign, "sts:AssumeRole", ctx{"aws:PrincipalAccount": {"210987654321"}}, ImplicitDeny},
		{"external id right", externalID, foreign, "sts:AssumeRole", ctx{"sts:ExternalId": {"drill-42"}}, Allow},
		{"external id wrong", externalID, foreign, "sts:AssumeRole", ctx{"sts:ExternalId": {"drill-43"}}, ImplicitDeny},
		{"external id missing", externalID, foreign, "sts:AssumeRole", nil, ImplicitDeny},
		{"deny named user", denyUser, otherUser, "sts:AssumeRole", nil, ExplicitDeny},
		{"deny spares others", denyUser, user, "sts:AssumeRole", nil, Allow},
		{"NotPrincipal deny spares listed", notPrincipal, user, "sts:AssumeRole", nil, Allow},
		{"NotPrincipal deny hits others", notPrincipal, otherUser, "sts:AssumeRole", nil, ExplicitDeny},
		{"NotPrincipal deny hits anonymous", notPrincipal, nil, "sts:AssumeRole", nil, ExplicitDeny},
		{"federated SAML", federated, saml, "sts:AssumeRoleWithSAML", nil, Allow},
		{"federated other provider", federated, &Principal{Type: "Federated", ARN: "arn:aws:iam::123456789012:saml-provider/Other"}, "sts:AssumeRoleWithSAML", nil, ImplicitDeny},
		{"no principal", userTrust, nil, "sts:AssumeRole", nil, ImplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, tt.doc, TrustPolicy)
			req := Request{Action: tt.action, Principal: tt.principal, Context: tt.ctx}
			if got := EvaluateTrust(req, p); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if got := EvaluateTrust(Request{Action: "sts:AssumeRole", Principal: user}, nil); got != ImplicitDeny {
		t.Errorf("nil trust policy: got %v", got)
	}
	// An identity policy names no principal, so it can never act as a trust policy.
	if got := EvaluateTrust(Request{Action: "sts:AssumeRole", Principal: user}, mustParse(t, adminAll, IdentityPolicy)); got != ImplicitDeny {
		t.Errorf("identity policy as trust policy: got %v", got)
	}
}
