package network

// The seed's persist.sh, as the instance runtime will send it: the 11 digs,
// curl's lookups (A and AAAA, as curl asks) and connections, and the
// exfiltration loop of 63 labels under afsdem.com, ten times.

var seedDigNames = []string{
	"donate.v2.xmrig.com", "systemten.org", "xmr.pool.minergate.comac", "pool.minergate.com",
	"dockerupdate.anondns.net", "rspca-northamptonshire.org.uk", "xmrpool.eu", "cryptofollow.com",
	"xmr-usa.dwarfpool.com", "xmr-eu.dwarfpool.com", "xmr-eu1.nanopool.org",
}

var seedExfilLabels = []string{
	"CgpMb3JlbSBpcHN1bSBkb2xvciBzaXQgYW1ldC", "wgY29uc2VjdGV0dXIgYWRpcGlzY2luZyBlbGl0", "LiBWZXN0aWJ1bHVtIGFjIHJpc3VzIGRvbG9yLi",
	"BJbiBldSBpbXBlcmRpZXQgbWksIGlkIHNjZWxl", "cmlzcXVlIG9yY2kuIE51bGxhbSB1dCBsaWJlcm", "8gcHVydXMuIFBlbGxlbnRlc3F1ZSBhdCBmcmlu",
	"Z2lsbGEgbWV0dXMsIGFjIHVsdHJpY2VzIGVyYX", "QuIEZ1c2NlIGN1cnN1cyBtb2xsaXMgcmlzdXMg", "dXQgdWx0cmljaWVzLiBOYW0gbWFzc2EganVzdG",
	"8sIHVsdHJpY2llcyBhdWN0b3IgbWkgdXQsIGRp", "Y3R1bSBsb2JvcnRpcyBudWxsYS4gTnVsbGEgc2", "l0IGFtZXQgZmVsaXMgbm9uIGlwc3VtIHZlc3Rp",
	"YnVsdW0gcmhvbmN1cy4gTG9yZW0gaXBzdW0gZG", "9sb3Igc2l0IGFtZXQsIGNvbnNlY3RldHVyIGFk", "aXBpc2NpbmcgZWxpdC4gSW4gZmF1Y2lidXMgaW",
	"QgZWxpdCBhdCBtYXhpbXVzLiBBbGlxdWFtIGRh", "cGlidXMgdXQgbWF1cmlzIG5lYyBmYXVjaWJ1cy", "4gUHJvaW4gYXVjdG9yIGxpYmVybyBuZWMgYXVn",
	"dWUgc2FnaXR0aXMgY29uZGltZW50dW0uIFZlc3", "RpYnVsdW0gYmliZW5kdW0gb2RpbyBxdWFtLCBh", "dCBjb25ndWUgbnVsbGEgdml2ZXJyYSBpbi4gSW",
	"4gdWx0cmljaWVzIHR1cnBpcyBhdCBmYWNpbGlz", "aXMgZGljdHVtLiBFdGlhbSBuaXNpIGFudGUsIG", "RpY3R1bSBldCBoZW5kcmVyaXQgbmVjLCBzb2Rh",
	"bGVzIGlkIGVyb3MuCgpQaGFzZWxsdXMgZmV1Z2", "lhdCBudW5jIHNlZCBzdXNjaXBpdCBmYXVjaWJ1", "cy4gQWVuZWFuIHRpbmNpZHVudCBwb3J0dGl0b3",
	"IgbmlzbCwgdXQgY3Vyc3VzIGZlbGlzIHZvbHV0", "cGF0IHZpdGFlLiBNb3JiaSBuZWMgbGVvIHB1bH", "ZpbmFyLCBhY2N1bXNhbiBtYXVyaXMgbmVjLCBj",
	"b21tb2RvIG1hdXJpcy4gTmFtIGNvbW1vZG8gZW", "dldCBlbmltIGF0IGFsaXF1YW0uIFN1c3BlbmRp", "c3NlIGVnZXN0YXMgbWFzc2EgaWQgcmlzdXMgcG",
	"VsbGVudGVzcXVlIHBvcnR0aXRvciBuZWMgbmVj", "IG5lcXVlLiBDcmFzIG5lYyBzZW0gYXJjdS4gTn", "VsbGEgcXVpcyBzYXBpZW4gaW4gbGFjdXMgbGFj",
	"aW5pYSB1bHRyaWNlcyBtYXR0aXMgZXQgcHVydX", "MuIE51bmMgZmVybWVudHVtIG5lcXVlIGlkIG51", "bmMgYmxhbmRpdCBtYXhpbXVzLiBEdWlzIGV1IH",
	"NvbGxpY2l0dWRpbiBudWxsYSwgYWMgbWF0dGlz", "IGF1Z3VlLiBNYXVyaXMgcXVpcyBjdXJzdXMgaX", "BzdW0sIHF1aXMgZnJpbmdpbGxhIHNlbS4gTW9y",
	"YmkgbWFsZXN1YWRhIHNhcGllbiBzZWQgbWV0dX", "MgY29udmFsbGlzLCBzaXQgYW1ldCBldWlzbW9k", "IGF1Z3VlIHBlbGxlbnRlc3F1ZS4gTW9yYmkgbm",
	"liaCBlcmF0LCBwb3N1ZXJlIHNpdCBhbWV0IGFj", "Y3Vtc2FuIG5lYywgbWFsZXN1YWRhIGEgbGVvLg", "oKRG9uZWMgZXUgcHJldGl1bSBvZGlvLiBBZW5l",
	"YW4gdHJpc3RpcXVlIHF1YW0gdmVsIG9yY2kgYW", "xpcXVhbSwgbmVjIHNjZWxlcmlzcXVlIG51bmMg", "c3VzY2lwaXQuIEV0aWFtIGVsaXQgc2VtLCB2aX",
	"ZlcnJhIG5lYyBmcmluZ2lsbGEgdml0YWUsIGV1", "aXNtb2QgaWQgdHVycGlzLiBJbnRlZ2VyIHF1aX", "MgZXJhdCBlZ2V0IGFyY3UgdGluY2lkdW50IHBl",
	"bGxlbnRlc3F1ZS4gQ3VyYWJpdHVyIHF1YW0gbn", "VsbGEsIGx1Y3R1cyB2ZWwgdm9sdXRwYXQgZWdl", "dCwgZGFwaWJ1cyBldCBudW5jLiBOdW5jIHF1aX",
	"MgbGliZXJvIGFsaXF1YW0sIGNvbmRpbWVudHVt", "IGp1c3RvIHF1aXMsIGxhY2luaWEgbmVxdWUuIF", "Byb2luIGRhcGlidXMgZWxpdCBhdCBoZW5kcmVy",
	"aXQgbWF4aW11cy4gU2VkIHNlbXBlciBudW5jIG", "1hc3NhLCBlZ2V0IHBlbGxlbnRlc3F1ZSBlbGl0", "IHNhZ2l0dGlzIHNlZC4g",
}
