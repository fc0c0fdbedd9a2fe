// Package techniques registers every technique of irdrill's library:
// blank-import it to fill simulate.Techniques.
package techniques

import (
	_ "github.com/irdrill/irdrill/simulate/techniques/aws/benign/baseline"
	_ "github.com/irdrill/irdrill/simulate/techniques/aws/defense-evasion/cloudtrail-stop"
	_ "github.com/irdrill/irdrill/simulate/techniques/aws/discovery/ec2-enumerate"
	_ "github.com/irdrill/irdrill/simulate/techniques/aws/impact/ec2-crypto-mining"
	_ "github.com/irdrill/irdrill/simulate/techniques/aws/initial-access/leaked-key-recon"
	_ "github.com/irdrill/irdrill/simulate/techniques/aws/persistence/iam-backdoor-key"
)
