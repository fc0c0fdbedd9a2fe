package ec2

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// regionInfo describes one commercial region: the zone-ID prefix AWS uses
// ("use1" for us-east-1), the zone letters an account sees, and whether the
// region needs opting in.
type regionInfo struct {
	name      string
	zoneIDKey string
	letters   string
	optIn     bool
}

// commercialRegions lists the aws partition's regions. The letter-to-zone-ID
// mapping differs per account in AWS; the sandbox maps letters to az1, az2,
// ... in order (approximation).
var commercialRegions = []regionInfo{
	{"af-south-1", "afs1", "abc", true},
	{"ap-east-1", "ape1", "abc", true},
	{"ap-northeast-1", "apne1", "acd", false},
	{"ap-northeast-2", "apne2", "abcd", false},
	{"ap-northeast-3", "apne3", "abc", false},
	{"ap-south-1", "aps1", "abc", false},
	{"ap-south-2", "aps2", "abc", true},
	{"ap-southeast-1", "apse1", "abc", false},
	{"ap-southeast-2", "apse2", "abc", false},
	{"ap-southeast-3", "apse3", "abc", true},
	{"ap-southeast-4", "apse4", "abc", true},
	{"ap-southeast-5", "apse5", "abc", true},
	{"ap-southeast-7", "apse7", "abc", true},
	{"ca-central-1", "cac1", "abd", false},
	{"ca-west-1", "caw1", "abc", true},
	{"eu-central-1", "euc1", "abc", false},
	{"eu-central-2", "euc2", "abc", true},
	{"eu-north-1", "eun1", "abc", false},
	{"eu-south-1", "eus1", "abc", true},
	{"eu-south-2", "eus2", "abc", true},
	{"eu-west-1", "euw1", "abc", false},
	{"eu-west-2", "euw2", "abc", false},
	{"eu-west-3", "euw3", "abc", false},
	{"il-central-1", "ilc1", "abc", true},
	{"me-central-1", "mec1", "abc", true},
	{"me-south-1", "mes1", "abc", true},
	{"mx-central-1", "mxc1", "abc", true},
	{"sa-east-1", "sae1", "abc", false},
	{"us-east-1", "use1", "abcdef", false},
	{"us-east-2", "use2", "abc", false},
	{"us-west-1", "usw1", "ab", false},
	{"us-west-2", "usw2", "abcd", false},
}

func lookupRegion(name string) regionInfo {
	for _, r := range commercialRegions {
		if r.name == name {
			return r
		}
	}
	// Any region name is accepted (the sandbox must not reject regions AWS
	// adds later); unknown ones get three zones and a derived zone-ID key.
	key := strings.ReplaceAll(name, "-", "")
	if len(key) > 6 {
		key = key[:6]
	}
	return regionInfo{name: name, zoneIDKey: key, letters: "abc"}
}

type zone struct {
	name string // us-east-1a
	id   string // use1-az1
}

func zonesFor(info regionInfo) []zone {
	zones := make([]zone, 0, len(info.letters))
	for i, l := range info.letters {
		zones = append(zones, zone{name: info.name + string(l), id: info.zoneIDKey + "-az" + itoa(i+1)})
	}
	return zones
}

// instanceTypeInfo is what the sandbox knows about an instance type.
type instanceTypeInfo struct {
	vcpus, cores, threads int
	memoryMiB             int
	arch                  string
	hypervisor            string // "xen" or "nitro"
}

// instanceTypes is a representative subset of EC2's instance types; others
// are rejected as AWS rejects misspelled ones.
var instanceTypes = func() map[string]instanceTypeInfo {
	m := map[string]instanceTypeInfo{}
	type size struct {
		name                  string
		vcpus, cores, threads int
		mem                   int
	}
	add := func(family, arch, hv string, sizes []size) {
		for _, sz := range sizes {
			m[family+"."+sz.name] = instanceTypeInfo{vcpus: sz.vcpus, cores: sz.cores, threads: sz.threads, memoryMiB: sz.mem, arch: arch, hypervisor: hv}
		}
	}
	add("t2", "x86_64", "xen", []size{{"nano", 1, 1, 1, 512}, {"micro", 1, 1, 1, 1024}, {"small", 1, 1, 1, 2048}, {"medium", 2, 2, 1, 4096}, {"large", 2, 2, 1, 8192}, {"xlarge", 4, 4, 1, 16384}, {"2xlarge", 8, 8, 1, 32768}})
	burst := []size{{"nano", 2, 1, 2, 512}, {"micro", 2, 1, 2, 1024}, {"small", 2, 1, 2, 2048}, {"medium", 2, 1, 2, 4096}, {"large", 2, 1, 2, 8192}, {"xlarge", 4, 2, 2, 16384}, {"2xlarge", 8, 4, 2, 32768}}
	add("t3", "x86_64", "nitro", burst)
	add("t3a", "x86_64", "nitro", burst)
	graviton := []size{{"nano", 2, 2, 1, 512}, {"micro", 2, 2, 1, 1024}, {"small", 2, 2, 1, 2048}, {"medium", 2, 2, 1, 4096}, {"large", 2, 2, 1, 8192}, {"xlarge", 4, 4, 1, 16384}, {"2xlarge", 8, 8, 1, 32768}}
	add("t4g", "arm64", "nitro", graviton)
	general := func(memPerVCPU int, threads int) []size {
		var out []size
		for _, s := range []struct {
			name  string
			vcpus int
		}{{"large", 2}, {"xlarge", 4}, {"2xlarge", 8}, {"4xlarge", 16}, {"8xlarge", 32}, {"12xlarge", 48}, {"16xlarge", 64}, {"24xlarge", 96}} {
			out = append(out, size{s.name, s.vcpus, s.vcpus / threads, threads, s.vcpus * memPerVCPU})
		}
		return out
	}
	for _, f := range []string{"m5", "m5a", "m6i", "m6a", "m7i"} {
		add(f, "x86_64", "nitro", general(4096, 2))
	}
	for _, f := range []string{"c5", "c5a", "c6i", "c6a", "c7i"} {
		add(f, "x86_64", "nitro", general(2048, 2))
	}
	for _, f := range []string{"r5", "r5a", "r6i", "r7i"} {
		add(f, "x86_64", "nitro", general(8192, 2))
	}
	for _, f := range []string{"m6g", "m7g"} {
		add(f, "arm64", "nitro", general(4096, 1))
	}
	for _, f := range []string{"c6g", "c7g"} {
		add(f, "arm64", "nitro", general(2048, 1))
	}
	add("r6g", "arm64", "nitro", general(8192, 1))
	add("m4", "x86_64", "xen", general(4096, 2))
	add("c4", "x86_64", "xen", general(1920, 2))
	add("p3", "x86_64", "xen", []size{{"2xlarge", 8, 4, 2, 62464}, {"8xlarge", 32, 16, 2, 249856}, {"16xlarge", 64, 32, 2, 499712}})
	add("g4dn", "x86_64", "nitro", []size{{"xlarge", 4, 2, 2, 16384}, {"2xlarge", 8, 4, 2, 32768}, {"4xlarge", 16, 8, 2, 65536}, {"12xlarge", 48, 24, 2, 196608}})
	return m
}()

// image is one entry of the built-in AMI catalogue.
type image struct {
	id, name, description, location string
	ownerID, ownerAlias             string
	created                         time.Time
	arch                            string
	platform                        string // "" or "windows"
	platformDetails                 string
	usageOperation                  string
	rootDevice                      string
	snapshotID                      string
	volumeSize                      int
	volumeType                      string
	enaSupport                      bool
	sriov                           string
	bootMode                        string
}

const amazonOwnerID = "137112412989"

func amzn2(id, version, arch, volumeType, snapshot string, created string) image {
	suffix := arch + "-" + volumeType
	name := "amzn2-ami-hvm-" + version + "-" + suffix
	desc := "Amazon Linux 2 AMI " + version + " " + arch + " HVM " + volumeType
	t, err := time.Parse(time.RFC3339, created)
	if err != nil {
		panic("bad catalogue date " + created) // programming error in the table below
	}
	return image{
		id: id, name: name, description: desc, location: "amazon/" + name,
		ownerID: amazonOwnerID, ownerAlias: "amazon", created: t, arch: arch,
		platformDetails: "Linux/UNIX", usageOperation: "RunInstances",
		rootDevice: "/dev/xvda", snapshotID: snapshot, volumeSize: 8, volumeType: strings.TrimPrefix(volumeType, "ebs"),
		enaSupport: true, sriov: "simple",
	}
}

// images is the built-in catalogue, the same in every region
// (approximation: AWS's AMI IDs differ per region). It holds the image the
// workshop's simulation picks (ami-0c2b8ca1dad447f8a, exactly as the
// playbook's describe-images shows it), older builds of the same series so
// that "the newest match" is a real choice, and decoys that a sloppy name
// pattern would also match.
var images = func() []image {
	list := []image{
		amzn2("ami-0c2b8ca1dad447f8a", "2.0.20210721.2", "x86_64", "gp2", "snap-1234567890abcdef0", "2021-07-27T06:11:27Z"),
		amzn2("ami-0dc2d3e4c0f9ebd18", "2.0.20210701.0", "x86_64", "gp2", "snap-0a1b2c3d4e5f60718", "2021-07-06T18:27:31Z"),
		amzn2("ami-0ab4d1e9cf9a1215a", "2.0.20210617.0", "x86_64", "gp2", "snap-0b2c3d4e5f6071829", "2021-06-21T22:05:47Z"),
		amzn2("ami-0d5eff06f840b45e9", "2.0.20210525.0", "x86_64", "gp2", "snap-0c3d4e5f607182930", "2021-05-27T21:37:05Z"),
		amzn2("ami-09b3691f2b8cd4c4f", "2.0.20210721.2", "arm64", "gp2", "snap-0d4e5f60718293a41", "2021-07-27T06:12:48Z"),
		amzn2("ami-0e8f5e8d8d3a7b0b1", "2.0.20210721.2", "x86_64", "ebs", "snap-0e5f60718293a4b52", "2021-07-27T06:09:55Z"),
	}
	// The ebs variants keep "standard" volumes.
	list[5].volumeType = "standard"
	kernel := amzn2("ami-0f1a5f5ada0e7da53", "2.0.20210813.1", "x86_64", "gp2", "snap-0f60718293a4b5c63", "2021-08-16T19:43:12Z")
	kernel.name = "amzn2-ami-kernel-5.10-hvm-2.0.20210813.1-x86_64-gp2"
	kernel.location = "amazon/" + kernel.name
	kernel.description = "Amazon Linux 2 Kernel 5.10 AMI 2.0.20210813.1 x86_64 HVM gp2"
	list = append(list, kernel)

	ubuntu := image{
		id: "ami-019212a8baeffb0fa", name: "ubuntu/images/hvm-ssd/ubuntu-focal-20.04-amd64-server-20210720",
		description: "Canonical, Ubuntu, 20.04 LTS, amd64 focal image build on 2021-07-20",
		ownerID:     "099720109477", arch: "x86_64", platformDetails: "Linux/UNIX", usageOperation: "RunInstances",
		rootDevice: "/dev/sda1", snapshotID: "snap-07182930a4b5c6d74", volumeSize: 8, volumeType: "gp2", enaSupport: true, sriov: "simple",
		created: time.Date(2021, 7, 21, 17, 4, 2, 0, time.UTC),
	}
	ubuntu.location = ubuntu.ownerID + "/" + ubuntu.name
	windows := image{
		id: "ami-0aad84f764a2bd39a", name: "Windows_Server-2019-English-Full-Base-2021.07.14",
		description: "Microsoft Windows Server 2019 with Desktop Experience Locale English AMI provided by Amazon",
		ownerID:     amazonOwnerID, ownerAlias: "amazon", arch: "x86_64", platform: "windows",
		platformDetails: "Windows", usageOperation: "RunInstances:0002", rootDevice: "/dev/sda1",
		snapshotID: "snap-0830a4b5c6d7e8f95", volumeSize: 30, volumeType: "gp2", enaSupport: true, sriov: "simple",
		created: time.Date(2021, 7, 14, 7, 23, 50, 0, time.UTC),
	}
	windows.location = "amazon/" + windows.name
	list = append(list, ubuntu, windows)
	sort.Slice(list, func(i, j int) bool { return list[i].id < list[j].id })
	return list
}()

func findImage(id string) *image {
	for i := range images {
		if images[i].id == id {
			return &images[i]
		}
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
