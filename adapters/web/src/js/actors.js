// Who acted, in the pages' words: a person by name and role ("Sam Patel
// (triage)"), a key by its name and organisation ("police-api (Merseyside
// Police)", the organisation left out when it is only the key's name).
// Records stored before people had names keep only an id: that is shown.

export function actorLabel(actor, id) {
  if (actor && actor.name) {
    if (actor.kind === 'PERSON') return actor.role ? `${actor.name} (${actor.role})` : actor.name;
    const org = actor.organisation && actor.organisation !== actor.name ? actor.organisation : '';
    return org ? `${actor.name} (${org})` : actor.name;
  }
  return id || '';
}
