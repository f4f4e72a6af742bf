// The API's handlers, by resource, each in the file named beside it. A
// handler checks its input, then either reads (through engine/queries or the
// store) or hands a command to the Processor and waits for the durable
// answer; every failure becomes a problem naming the field at fault where
// there is one. The router (router.cc) says who may call each.
#pragma once

#include "adapters/http/handler_support.h"
#include "boost/asio/awaitable.hpp"

namespace frontdoor {

using HandlerResult = boost::asio::awaitable<Response>;

// service_handlers.cc: health, readiness, metrics, whoami, signin.
HandlerResult Healthz(const ApiDependencies& deps, Call& call);
HandlerResult Readyz(const ApiDependencies& deps, Call& call);
HandlerResult GetMetrics(const ApiDependencies& deps, Call& call);
HandlerResult GetWhoami(const ApiDependencies& deps, Call& call);
HandlerResult GetSignIn(const ApiDependencies& deps, Call& call);

// contact_handlers.cc: contacts, their events, decisions and MASH outcomes.
HandlerResult PostContact(const ApiDependencies& deps, Call& call);
HandlerResult PostContactBatch(const ApiDependencies& deps, Call& call);
HandlerResult GetContact(const ApiDependencies& deps, Call& call);
HandlerResult GetEvents(const ApiDependencies& deps, Call& call);
HandlerResult PostDecision(const ApiDependencies& deps, Call& call);
HandlerResult PostMashOutcome(const ApiDependencies& deps, Call& call);
// What the referrer's letters would say: nothing is stored.
HandlerResult PostLetterPreview(const ApiDependencies& deps, Call& call);

// letter_handlers.cc: letters with their delivery state, the letters to
// send by post, one letter for printing, and marking one posted.
HandlerResult GetLetters(const ApiDependencies& deps, Call& call);
HandlerResult GetLettersToPost(const ApiDependencies& deps, Call& call);
HandlerResult GetLetter(const ApiDependencies& deps, Call& call);
HandlerResult PostLetterPosted(const ApiDependencies& deps, Call& call);

// check_handlers.cc: MASH checks with partner agencies, and MASH re-rating.
HandlerResult GetChecks(const ApiDependencies& deps, Call& call);
HandlerResult PostCheckAnswer(const ApiDependencies& deps, Call& call);
HandlerResult PostRag(const ApiDependencies& deps, Call& call);
// authorisation_handlers.cc: a manager's answer to a decision that waits.
HandlerResult PostAuthorisation(const ApiDependencies& deps, Call& call);

// worklist_handlers.cc: the worklist and the breaches.
HandlerResult GetWorklist(const ApiDependencies& deps, Call& call);
HandlerResult GetBreaches(const ApiDependencies& deps, Call& call);

// rules_handlers.cc: dry runs of the policy.
HandlerResult PostEvaluate(const ApiDependencies& deps, Call& call);

// open_case_handlers.cc: cases the case management system has open.
HandlerResult PutOpenCase(const ApiDependencies& deps, Call& call);
HandlerResult DeleteOpenCase(const ApiDependencies& deps, Call& call);

// admin_handlers.cc: the manual clock and policy reload.
HandlerResult PostClock(const ApiDependencies& deps, Call& call);
HandlerResult PostPolicyReload(const ApiDependencies& deps, Call& call);

// delivery_handlers.cc: dead letters, replays and the subscriptions' figures.
HandlerResult GetDeliveries(const ApiDependencies& deps, Call& call);
HandlerResult PostDeliveryReplay(const ApiDependencies& deps, Call& call);
HandlerResult GetSubscriptions(const ApiDependencies& deps, Call& call);

// report_handlers.cc: indicators and the Annex A export.
HandlerResult GetIndicators(const ApiDependencies& deps, Call& call);
HandlerResult GetAnnexAContacts(const ApiDependencies& deps, Call& call);

// audit_handlers.cc: the read audit, by contact and by actor.
HandlerResult GetContactAudit(const ApiDependencies& deps, Call& call);
HandlerResult GetActorAudit(const ApiDependencies& deps, Call& call);

}  // namespace frontdoor
