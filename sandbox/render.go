package sandbox

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"

	"github.com/irdrill/irdrill/sandbox/api"
)

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// writeResult renders a successful result in the service's protocol.
func (x *exchange) writeResult(w http.ResponseWriter, result any) {
	switch x.protocol {
	case api.ProtocolJSON, api.ProtocolRESTJSON:
		body := []byte("{}")
		if result != nil {
			b, err := json.Marshal(result)
			if err != nil {
				x.h.log.Error("marshal result", "action", x.action, "err", err)
				x.writeError(w, api.AsError(err))
				return
			}
			body = b
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-Requestid", x.reqID)
		writeBody(w, http.StatusOK, body)
	default:
		inner, err := marshalInner(result)
		if err != nil {
			x.h.log.Error("marshal result", "action", x.action, "err", err)
			x.writeError(w, api.AsError(err))
			return
		}
		var buf bytes.Buffer
		buf.Grow(len(inner) + 256)
		buf.WriteString(xmlHeader)
		buf.WriteString("<" + x.action + "Response xmlns=\"" + x.svc.XMLNamespace() + "\">")
		if x.protocol == api.ProtocolEC2 {
			buf.WriteString("<requestId>" + x.reqID + "</requestId>")
			buf.Write(inner)
		} else {
			if result != nil {
				buf.WriteString("<" + x.action + "Result>")
				buf.Write(inner)
				buf.WriteString("</" + x.action + "Result>")
			}
			buf.WriteString("<ResponseMetadata><RequestId>" + x.reqID + "</RequestId></ResponseMetadata>")
		}
		buf.WriteString("</" + x.action + "Response>")
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("X-Amzn-Requestid", x.reqID)
		writeBody(w, http.StatusOK, buf.Bytes())
	}
}

// writeError renders an AWS error in the service's protocol.
func (x *exchange) writeError(w http.ResponseWriter, e *api.Error) {
	status := e.HTTPStatus
	if status == 0 {
		status = http.StatusBadRequest
	}
	w.Header().Set("X-Amzn-Requestid", x.reqID)
	switch x.protocol {
	case api.ProtocolJSON, api.ProtocolRESTJSON:
		fields := map[string]any{"__type": e.Code, "message": e.Message}
		for k, v := range e.Fields {
			if k != "__type" && k != "message" {
				fields[k] = v
			}
		}
		body, _ := json.Marshal(fields)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-Errortype", e.Code)
		writeBody(w, status, body)
	case api.ProtocolEC2:
		var buf bytes.Buffer
		buf.WriteString(xmlHeader)
		buf.WriteString("<Response><Errors><Error><Code>")
		xmlEscape(&buf, e.Code)
		buf.WriteString("</Code><Message>")
		xmlEscape(&buf, e.Message)
		buf.WriteString("</Message></Error></Errors><RequestID>" + x.reqID + "</RequestID></Response>")
		w.Header().Set("Content-Type", "text/xml")
		writeBody(w, status, buf.Bytes())
	default:
		ns := "https://iam.amazonaws.com/doc/2010-05-08/"
		if x.svc != nil {
			ns = x.svc.XMLNamespace()
		}
		kind := "Sender"
		if e.Receiver {
			kind = "Receiver"
		}
		var buf bytes.Buffer
		buf.WriteString(xmlHeader)
		buf.WriteString("<ErrorResponse xmlns=\"" + ns + "\"><Error><Type>" + kind + "</Type><Code>")
		xmlEscape(&buf, e.Code)
		buf.WriteString("</Code><Message>")
		xmlEscape(&buf, e.Message)
		buf.WriteString("</Message></Error><RequestId>" + x.reqID + "</RequestId></ErrorResponse>")
		w.Header().Set("Content-Type", "text/xml")
		writeBody(w, status, buf.Bytes())
	}
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// marshalInner renders v's fields as XML children without a wrapping
// element: services describe results as structs, and the front end supplies
// the protocol's envelope around them.
func marshalInner(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	if fast, ok := v.(api.XMLAppender); ok {
		return fast.AppendInnerXML(make([]byte, 0, 4096)), nil
	}
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	start := xml.StartElement{Name: xml.Name{Local: "x"}}
	if err := enc.EncodeElement(v, start); err != nil {
		return nil, err
	}
	if err := enc.Flush(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	b = bytes.TrimPrefix(b, []byte("<x>"))
	b = bytes.TrimSuffix(b, []byte("</x>"))
	if bytes.Equal(b, []byte("<x/>")) {
		return nil, nil
	}
	return b, nil
}

func xmlEscape(buf *bytes.Buffer, s string) {
	_ = xml.EscapeText(buf, []byte(s))
}
