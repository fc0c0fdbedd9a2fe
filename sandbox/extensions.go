package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/irdrill/irdrill/sandbox/api"
	"github.com/irdrill/irdrill/sandbox/iam"
	"github.com/irdrill/irdrill/sandbox/sigv4"
)

// The sandbox's own signed APIs, for what no AWS API can do: give a user
// an access key with a chosen ID and secret (the playbook's leaked
// AKIAIOSFODNN7EXAMPLE). They are served under ExtensionsPrefix as a REST
// JSON service whose SigV4 signing name is ExtensionSigningName, go
// through the front end like any call (signature, key, IAM authorisation
// as irdrill:<Action>, CloudTrail with eventSource
// ExtensionEventSource), and are listed by name in the health document's
// "extensions".
const (
	ExtensionsPrefix     = "/_irdrill/"
	ExtensionSigningName = "irdrill"
	ExtensionEventSource = "irdrill.amazonaws.com"

	// ExtensionImportAccessKey is POST ImportAccessKeyPath with
	// {"UserName", "AccessKeyId", "SecretAccessKey"}: it answers 200 {} or
	// an AWS JSON error, and is authorised as irdrill:ImportAccessKey on
	// the user's ARN (AdministratorAccess has it).
	ExtensionImportAccessKey = "import-access-key"
	ImportAccessKeyPath      = "/_irdrill/iam/import-access-key"
)

// extensions is the service behind ExtensionsPrefix.
type extensions struct {
	iam *iam.Service
}

type extensionRoute struct {
	method, path, action, name string
}

var extensionRoutes = []extensionRoute{
	{http.MethodPost, ImportAccessKeyPath, "ImportAccessKey", ExtensionImportAccessKey},
}

// Names lists the extensions for the health document.
func (e *extensions) Names() []string {
	names := make([]string, len(extensionRoutes))
	for i, r := range extensionRoutes {
		names[i] = r.name
	}
	return names
}

func (e *extensions) SigningName() string    { return ExtensionSigningName }
func (e *extensions) EventSource() string    { return ExtensionEventSource }
func (e *extensions) Protocol() api.Protocol { return api.ProtocolRESTJSON }
func (e *extensions) XMLNamespace() string   { return "" }
func (e *extensions) TargetPrefix() string   { return "" }

// isExtension reports whether a request is for the extensions: by its path,
// or by the signing name in its scope.
func isExtension(r *http.Request, sig *sigv4.Signature) bool {
	return strings.HasPrefix(r.URL.Path, ExtensionsPrefix) || sig != nil && sig.Service == ExtensionSigningName
}

// checkScope refuses a request under ExtensionsPrefix signed for another
// service, in the words AWS uses for a scope naming the wrong service.
func (e *extensions) checkScope(sig *sigv4.Signature) *api.Error {
	if sig.Service == ExtensionSigningName {
		return nil
	}
	err := api.SignatureDoesNotMatch(api.ProtocolRESTJSON)
	err.Message = fmt.Sprintf("Credential should be scoped to correct service: '%s'. ", ExtensionSigningName)
	return err
}

// action finds the extension a method and path name.
func (e *extensions) action(method, path string) (string, *api.Error) {
	for _, r := range extensionRoutes {
		if r.path == path && r.method == method {
			return r.action, nil
		}
	}
	return "", api.Errorf("UnknownOperationException", "No irdrill extension answers %s %s", method, path).WithStatus(http.StatusNotFound)
}

func (e *extensions) Handle(ctx context.Context, call *api.Call) (any, error) {
	switch call.Action {
	case "ImportAccessKey":
		return e.importAccessKey(ctx, call)
	}
	return nil, api.InvalidAction(e, call.Action)
}

type importAccessKeyInput struct {
	UserName        string
	AccessKeyId     string
	SecretAccessKey string
}

// importAccessKey validates the input as IAM validates CreateAccessKey's
// (ValidationError, IAM's code), authorises irdrill:ImportAccessKey on the
// user, and gives the user the key. The CloudTrail record has the user
// and the key ID, never the secret, and the responseElements CloudTrail
// records for CreateAccessKey.
func (e *extensions) importAccessKey(ctx context.Context, call *api.Call) (any, error) {
	var in importAccessKeyInput
	if err := json.Unmarshal(call.Body, &in); err != nil {
		return nil, api.Errorf("SerializationException", "the body is not a JSON object of UserName, AccessKeyId and SecretAccessKey: %s", err.Error())
	}
	call.RequestParameters = map[string]any{"userName": in.UserName, "accessKeyId": in.AccessKeyId}
	for _, f := range []struct{ name, value string }{{"UserName", in.UserName}, {"AccessKeyId", in.AccessKeyId}, {"SecretAccessKey", in.SecretAccessKey}} {
		if f.value == "" {
			return nil, api.Errorf("ValidationError", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", f.name)
		}
	}
	if !validImportedKeyID(in.AccessKeyId) {
		return nil, api.Errorf("ValidationError", "1 validation error detected: Value '%s' at 'accessKeyId' failed to satisfy constraint: Member must be AKIA followed by 16 upper-case letters or digits", in.AccessKeyId)
	}
	if len(in.SecretAccessKey) != 40 {
		return nil, api.Errorf("ValidationError", "1 validation error detected: Value at 'secretAccessKey' failed to satisfy constraint: Member must have length 40")
	}
	userARN := fmt.Sprintf("arn:aws:iam::%s:user/%s", call.AccountID, in.UserName)
	if err := call.Authorize(ctx, "irdrill:ImportAccessKey", []string{userARN}, nil); err != nil {
		return nil, err
	}
	if err := e.iam.ImportAccessKey(in.UserName, in.AccessKeyId, in.SecretAccessKey); err != nil {
		var apiErr *api.Error
		if errors.As(err, &apiErr) {
			// NoSuchEntity, LimitExceeded (two keys per user), in IAM's words.
			return nil, apiErr
		}
		// What is left once the input is valid: the ID is, or was, in use.
		return nil, api.Errorf("EntityAlreadyExists", "The access key ID %s is in use, or was used before and deleted: an ID is never given twice", in.AccessKeyId).WithStatus(http.StatusConflict)
	}
	call.Resources = append(call.Resources, api.TrailResource{ARN: userARN, AccountID: call.AccountID, Type: "AWS::IAM::User"})
	call.ResponseElements = map[string]any{"accessKey": map[string]any{
		"userName": in.UserName, "accessKeyId": in.AccessKeyId, "status": "Active",
		"createDate": call.Time.UTC().Format("Jan 2, 2006 3:04:05 PM"), // Java's medium format, as for CreateAccessKey

	}}
	return nil, nil
}

func validImportedKeyID(id string) bool {
	rest, ok := strings.CutPrefix(id, "AKIA")
	if !ok || len(rest) != 16 {
		return false
	}
	return strings.Trim(rest, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == ""
}

// allowHealth answers a health request made with another method than GET
// or HEAD, as HTTP says: 405 with the methods that work.
func allowHealth(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	w.Header().Set("Content-Type", "application/json")
	writeBody(w, http.StatusMethodNotAllowed, []byte(`{"__type":"MethodNotAllowedException","message":"`+HealthPath+` answers GET and HEAD, not `+jsonEscape(r.Method)+`"}`))
	return false
}

func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

var _ api.Service = (*extensions)(nil)
