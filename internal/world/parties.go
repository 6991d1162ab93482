package world

import "github.com/syncsim/syncsim/internal/trace"

// Short names for the party and message names of internal/trace, for the fault and timeline files.
const (
	partyWorld    = trace.PartyWorld
	partyStorage  = trace.PartyStorage
	partyFrontEnd = trace.PartyFrontEnd
	partyMesh     = trace.PartyMesh
	partyRouter   = trace.PartyRouter
	partyClient   = trace.PartyClient

	kindMSG1Response = trace.MsgMSG1Response
	kindMSG2Response = trace.MsgMSG2Response
	kindMSG4         = trace.MsgMSG4
)
