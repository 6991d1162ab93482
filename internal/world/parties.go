package world

// Party names in the network and the trace, shared by every driver (sim/TRACE.md).
const (
	PartyWorld    = "world"
	PartyStorage  = "storage"
	PartyFrontEnd = "frontend"
	PartyMesh     = "mesh"
	PartyRouter   = "router"
	PartyClient   = "client"
)

const (
	partyWorld    = PartyWorld
	partyStorage  = PartyStorage
	partyFrontEnd = PartyFrontEnd
	partyMesh     = PartyMesh
	partyRouter   = PartyRouter
	partyClient   = PartyClient
)

// InstanceParty is an instance's party name.
func InstanceParty(name string) string { return "instance/" + name }

// Message kinds on the network.
const (
	kindBlobRequest  = "blob.request"
	kindBlobResponse = "blob.response"
	kindMSG1         = "msg1.request"
	kindMSG1Response = "msg1.response"
	kindMSG2         = "msg2.request"
	kindMSG2Response = "msg2.response"
	kindMSG3         = "msg3.request"
	kindMSG3Response = "msg3.response"
	kindMSG4         = "msg4.request"
	kindMSG4Response = "msg4.response"
	kindKeys         = "keys.request"
	kindKeysResponse = "keys.response"
)
