package e2e

import (
	"fmt"
	"sort"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The "EC2 crypto mining" playbook, run with its own commands: the
// workshop's simulation with the pipeline user's key, then containment and
// eradication as SecurityBreakGlassRole would do them.
var _ = Describe("the crypto-mining playbook", Ordered, labelSandboxServer, func() {
	var (
		pipeline    CLI
		keyID       string
		instanceIDs []string
		policyArn   = "arn:aws:iam::999999999999:policy/iam-containment-policy"
		integration = "arn:aws:iam::999999999999:policy/SimulationStack-SystemIntegrationPolicy"
	)

	It("sets up the pipeline user with ec2:* and a key", func() {
		admin().MustSucceed("iam", "create-user", "--user-name", "pipeline")
		var created struct{ Policy struct{ Arn string } }
		admin().MustJSON(&created, "iam", "create-policy", "--policy-name", "SimulationStack-SystemIntegrationPolicy",
			"--policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`)
		Expect(created.Policy.Arn).To(Equal(integration))
		admin().MustSucceed("iam", "attach-user-policy", "--user-name", "pipeline", "--policy-arn", integration)
		var key accessKey
		admin().MustJSON(&key, "iam", "create-access-key", "--user-name", "pipeline")
		keyID = key.AccessKey.AccessKeyId
		pipeline = CLI{Target: server, Creds: key.creds()}
	})

	It("simulates the actor: newest amzn2 image, every subnet, one t2.nano each with the mining user data", func() {
		var images struct {
			Images []struct{ ImageId, Name, CreationDate, OwnerId string }
		}
		pipeline.MustJSON(&images, "ec2", "describe-images", "--owners", "amazon",
			"--filters", "Name=name,Values=amzn2-ami-hvm-2.0.????????.?-x86_64-gp2", "Name=state,Values=available")
		Expect(len(images.Images)).To(BeNumerically(">", 1))
		sort.Slice(images.Images, func(i, j int) bool { return images.Images[i].CreationDate > images.Images[j].CreationDate })
		Expect(images.Images[0].ImageId).To(Equal("ami-0c2b8ca1dad447f8a"))
		Expect(images.Images[0].OwnerId).To(Equal("137112412989"))

		var vpcs struct{ Vpcs []struct{ VpcId string } }
		pipeline.MustJSON(&vpcs, "ec2", "describe-vpcs")
		Expect(vpcs.Vpcs).NotTo(BeEmpty())
		var subnets []string
		for _, vpc := range vpcs.Vpcs {
			var out struct{ Subnets []struct{ SubnetId string } }
			pipeline.MustJSON(&out, "ec2", "describe-subnets", "--filters", "Name=vpc-id,Values="+vpc.VpcId)
			for _, s := range out.Subnets {
				subnets = append(subnets, s.SubnetId)
			}
		}
		Expect(subnets).NotTo(BeEmpty())
		for _, subnet := range subnets {
			var run struct {
				Instances []struct{ InstanceId, InstanceType, ImageId, PrivateIpAddress, SubnetId string }
			}
			pipeline.MustJSON(&run, "ec2", "run-instances", "--image-id", "ami-0c2b8ca1dad447f8a", "--instance-type", "t2.nano",
				"--subnet-id", subnet, "--user-data", "file://testdata/userdata.txt")
			Expect(run.Instances).To(HaveLen(1))
			Expect(run.Instances[0].InstanceId).To(MatchRegexp(`^i-[0-9a-f]{17}$`))
			Expect(run.Instances[0].InstanceType).To(Equal("t2.nano"))
			Expect(run.Instances[0].SubnetId).To(Equal(subnet))
			instanceIDs = append(instanceIDs, run.Instances[0].InstanceId)
		}
	})

	It("shows the user data, instance type and image as the playbook's analysis does", func() {
		res := admin().Shell(fmt.Sprintf("aws ec2 describe-instance-attribute --attribute userData --instance-id %s --region us-east-1 | jq -r '.UserData.Value' | base64 --decode", instanceIDs[0]))
		Expect(res.ExitCode).To(Equal(0), res.Stderr)
		Expect(res.Stdout).To(ContainSubstring("dig donate.v2.xmrig.com"))
		Expect(res.Stdout).To(ContainSubstring("*/15 * * * * /usr/cryptokit/persist.sh"))

		types := admin().Shell("aws ec2 describe-instances --instance-ids " + strings.Join(instanceIDs, " ") + " --region us-east-1 | jq -r '.Reservations[].Instances[].InstanceType' | sort -n | uniq -c")
		Expect(types.ExitCode).To(Equal(0), types.Stderr)
		Expect(strings.TrimSpace(types.Stdout)).To(Equal(fmt.Sprintf("%d t2.nano", len(instanceIDs))))

		profiles := admin().Shell("aws ec2 describe-instances --instance-ids " + strings.Join(instanceIDs, " ") + " | jq -r '.Reservations[].Instances[].IamInstanceProfile'")
		Expect(profiles.ExitCode).To(Equal(0), profiles.Stderr)
		Expect(strings.Fields(profiles.Stdout)).To(HaveEach("null"))

		var image struct {
			Images []struct{ Name, ImageOwnerAlias, Description string }
		}
		admin().MustJSON(&image, "ec2", "describe-images", "--image-id", "ami-0c2b8ca1dad447f8a", "--region", "us-east-1")
		Expect(image.Images).To(HaveLen(1))
		Expect(image.Images[0].Name).To(Equal("amzn2-ami-hvm-2.0.20210721.2-x86_64-gp2"))
		Expect(image.Images[0].ImageOwnerAlias).To(Equal("amazon"))
		Expect(image.Images[0].Description).To(Equal("Amazon Linux 2 AMI 2.0.20210721.2 x86_64 HVM gp2"))
	})

	It("disables the access key and verifies it", func() {
		Expect(admin().MustSucceed("iam", "update-access-key", "--access-key-id", keyID, "--status", "Inactive", "--user-name", "pipeline")).To(BeEmpty())
		var keys struct {
			AccessKeyMetadata []struct{ UserName, AccessKeyId, Status, CreateDate string }
		}
		admin().MustJSON(&keys, "iam", "list-access-keys", "--user-name", "pipeline")
		Expect(keys.AccessKeyMetadata).To(HaveLen(1))
		Expect(keys.AccessKeyMetadata[0].UserName).To(Equal("pipeline"))
		Expect(keys.AccessKeyMetadata[0].AccessKeyId).To(Equal(keyID))
		Expect(keys.AccessKeyMetadata[0].Status).To(Equal("Inactive"))
		Expect(keys.AccessKeyMetadata[0].CreateDate).NotTo(BeEmpty())

		pipeline.MustFail("AuthFailure", "ec2", "describe-instances")
		pipeline.MustFail("InvalidClientTokenId", "iam", "get-user")
	})

	It("attaches the containment policy, which denies even a reactivated key", func() {
		var created struct {
			Policy struct {
				PolicyName, PolicyId, Arn, Path, DefaultVersionId string
				AttachmentCount, PermissionsBoundaryUsageCount    int
				IsAttachable                                      bool
				CreateDate, UpdateDate                            string
			}
		}
		admin().MustJSON(&created, "iam", "create-policy", "--policy-name", "iam-containment-policy", "--policy-document", "file://testdata/iam_containment_policy.json")
		Expect(created.Policy.PolicyName).To(Equal("iam-containment-policy"))
		Expect(created.Policy.PolicyId).To(HavePrefix("ANPA"))
		Expect(created.Policy.Arn).To(Equal(policyArn))
		Expect(created.Policy.Path).To(Equal("/"))
		Expect(created.Policy.DefaultVersionId).To(Equal("v1"))
		Expect(created.Policy.AttachmentCount).To(Equal(0))
		Expect(created.Policy.IsAttachable).To(BeTrue())

		Expect(admin().MustSucceed("iam", "attach-user-policy", "--policy-arn", policyArn, "--user-name", "pipeline")).To(BeEmpty())
		var attached struct {
			AttachedPolicies []struct{ PolicyName, PolicyArn string }
		}
		admin().MustJSON(&attached, "iam", "list-attached-user-policies", "--user-name", "pipeline")
		Expect(attached.AttachedPolicies).To(ConsistOf(
			And(HaveField("PolicyName", "iam-containment-policy"), HaveField("PolicyArn", policyArn)),
			And(HaveField("PolicyName", "SimulationStack-SystemIntegrationPolicy"), HaveField("PolicyArn", integration)),
		))

		admin().MustSucceed("iam", "update-access-key", "--access-key-id", keyID, "--status", "Active", "--user-name", "pipeline")
		pipeline.MustFail("UnauthorizedOperation", "ec2", "describe-instances")
		pipeline.MustFail("UnauthorizedOperation", "ec2", "run-instances", "--image-id", "ami-0c2b8ca1dad447f8a", "--instance-type", "t2.nano")
		pipeline.MustFail("AccessDenied", "iam", "list-users")
	})

	It("stops every instance and checks until each reads stopped", func() {
		for _, id := range instanceIDs {
			var out struct {
				StoppingInstances []struct {
					InstanceId                  string
					CurrentState, PreviousState struct {
						Code int
						Name string
					}
				}
			}
			admin().MustJSON(&out, "ec2", "stop-instances", "--instance-ids", id, "--region", "us-east-1")
			Expect(out.StoppingInstances).To(HaveLen(1))
			Expect(out.StoppingInstances[0].InstanceId).To(Equal(id))
			Expect(out.StoppingInstances[0].CurrentState.Name).To(Equal("stopping"))
			Expect(out.StoppingInstances[0].CurrentState.Code).To(Equal(64))
			Expect(out.StoppingInstances[0].PreviousState.Name).To(Equal("running"))
			Expect(out.StoppingInstances[0].PreviousState.Code).To(Equal(16))
		}
		script := "for instance in " + strings.Join(instanceIDs, " ") + "; do aws ec2 describe-instances --instance-ids ${instance} --region us-east-1 | jq -r '.Reservations[].Instances[].State.Name'; done"
		Eventually(func() []string {
			res := admin().Shell(script)
			Expect(res.ExitCode).To(Equal(0), res.Stderr)
			return strings.Fields(res.Stdout)
		}).WithTimeout(2 * time.Minute).WithPolling(time.Second).Should(And(HaveLen(len(instanceIDs)), HaveEach("stopped")))
	})

	It("eradicates the user: conflicts first, then detach, delete key, delete user, NoSuchEntity", func() {
		admin().MustFail("DeleteConflict", "iam", "delete-user", "--user-name", "pipeline")
		Expect(admin().MustSucceed("iam", "detach-user-policy", "--user-name", "pipeline", "--policy-arn", integration)).To(BeEmpty())
		Expect(admin().MustSucceed("iam", "detach-user-policy", "--user-name", "pipeline", "--policy-arn", policyArn)).To(BeEmpty())
		Expect(admin().MustSucceed("iam", "delete-access-key", "--user-name", "pipeline", "--access-key-id", keyID)).To(BeEmpty())
		Expect(admin().MustSucceed("iam", "delete-user", "--user-name", "pipeline")).To(BeEmpty())
		msg := admin().MustFail("NoSuchEntity", "iam", "get-user", "--user-name", "pipeline")
		Expect(msg).To(ContainSubstring("The user with name pipeline cannot be found."))
		pipeline.MustFail("AuthFailure", "ec2", "describe-instances")
	})

	It("terminates the instances", func() {
		for _, id := range instanceIDs {
			var out struct {
				TerminatingInstances []struct {
					InstanceId   string
					CurrentState struct{ Name string }
				}
			}
			admin().MustJSON(&out, "ec2", "terminate-instances", "--instance-ids", id, "--region", "us-east-1")
			Expect(out.TerminatingInstances).To(HaveLen(1))
			Expect(out.TerminatingInstances[0].CurrentState.Name).To(BeElementOf("shutting-down", "terminated"))
		}
		script := "aws ec2 describe-instances --instance-ids " + strings.Join(instanceIDs, " ") + " | jq -r '.Reservations[].Instances[].State.Name'"
		Eventually(func() []string {
			return strings.Fields(admin().Shell(script).Stdout)
		}).WithTimeout(2 * time.Minute).WithPolling(time.Second).Should(And(HaveLen(len(instanceIDs)), HaveEach("terminated")))
	})

	It("rejects unknown and malformed instance ids with AWS's codes", func() {
		admin().MustFail("InvalidInstanceID.NotFound", "ec2", "describe-instances", "--instance-ids", "i-0123456789abcdef0")
		admin().MustFail("InvalidInstanceID.Malformed", "ec2", "describe-instances", "--instance-ids", "not-an-id")
	})
})
