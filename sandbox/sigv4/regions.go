package sigv4

//go:generate go run ./internal/genregions -o regions_gen.go

// KnownRegion reports whether name is a region of the aws partition, the
// one the sandbox's account lives in. Other partitions' regions (aws-cn,
// aws-us-gov, ...) are refused too: their endpoints would not know an aws
// partition's key, and the sandbox's ARNs all name the aws partition.
func KnownRegion(name string) bool { return knownRegions[name] }
