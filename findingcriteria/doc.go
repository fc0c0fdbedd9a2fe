// Package findingcriteria is the GuardDuty FindingCriteria language: the
// JSON that ListFindings, GetFindingsStatistics, CreateFilter and
// UpdateFilter take to select findings, and the SortCriteria that orders
// them. It parses criteria in either spelling AWS uses (the SDK and CLI
// member names, {"Criterion":{"type":{"Eq":[...]}}}, and the REST-JSON wire
// names, {"criterion":{"type":{"eq":[...]}}}), validates them as GuardDuty
// does, and evaluates them against findings in GuardDuty's wire JSON
// (camelCase), so that a sandbox can serve ListFindings and a detection
// engineer can test criteria offline.
//
// # Semantics
//
// Attributes are AND-ed. Within a condition every operator given must hold.
// Eq / Equals is any-of: the finding matches when one of the attribute's
// values equals one of the listed values. Neq / NotEquals is none-of: no
// value of the attribute equals any listed value. Gt, Gte, Lt, Lte and the
// long forms compare numbers: severity, confidence and ports as numbers,
// updatedAt and launchTime as Unix epoch milliseconds (the model's
// documentation for updatedAt: "Timestamp in Unix Epoch millisecond format:
// 1486685375000"; in a finding the timestamps are ISO 8601 strings).
//
// A path that runs through an array (networkInterfaces, tags,
// privateIpAddresses, securityGroups, ipv6Addresses, …) stands for every
// element: the attribute has several values and matches when any of them
// does, as the console's filters on "Public IP" or "Tag value" do.
//
// An attribute that a finding does not have (or has as JSON null) has no
// value: Eq and every comparison are false, Neq is true. That is how
// "service.archived" absent from the criteria lists every finding, and how a
// NotEquals filter keeps findings of other resource types.
//
// # Where AWS is silent
//
// AWS documents neither its error messages for bad criteria nor several
// edge cases; the choices made here are:
//
//   - Errors are BadRequestException (the code AWS sends in the
//     X-Amzn-ErrorType header) with the body type InvalidInputException and
//     the two messages GuardDuty is observed to use: "The request is rejected
//     because the JSON could not be processed." for JSON of the wrong shape
//     (an unknown operator, a value of the wrong type), and "The request is
//     rejected because an invalid or out-of-range value is specified as an
//     input parameter." for an attribute GuardDuty does not filter on, too
//     many values, or a value that does not fit the attribute. Error.Detail
//     says exactly what and where; AWS's messages do not.
//   - Severity equality follows the console's and CloudFormation's
//     documented lists (High = ["7","8","9"]): an integral value matches the
//     severities from it up to the next integer (Eq ["8"] matches 8.0 and
//     8.5). Other numeric attributes compare exactly.
//   - Values in Eq lists must be JSON strings and numeric operators take
//     JSON integers, as the model declares; no coercion is attempted.
//   - Eq values of a numeric, boolean or time attribute must parse as such
//     (booleans case-insensitively), or the criteria are rejected.
//   - Numeric operators on a text attribute compare the values that look
//     like numbers and never match the others.
//   - Empty value lists are rejected; an empty criterion matches every
//     finding.
//   - Matches / NotMatches exist only for CreateFilter and UpdateFilter (the
//     model says so); Parse rejects them unless Options.AllowMatches, and
//     they compare with "*" as a wildcard for any run of characters.
//   - SortCriteria accepts any attribute path; findings without the
//     attribute sort last in both orders; without SortCriteria the order is
//     the caller's.
package findingcriteria
