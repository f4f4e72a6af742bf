// Filling the contact form with synthetic data, as a person with a mouse
// would (the keyboard-only journey is in contact-form.test.mjs).

export async function fillContactForm(page, { consent = 'GIVEN', reason = '', child = {}, concerns = ['DOMESTIC_ABUSE'],
  source = 'POLICE', channel, risk = 'no' } = {}) {
  if (channel) await page.locator(`input[name="channel"][value="${channel}"]`).check();
  await page.locator('#source').selectOption(source);
  await page.locator('#external-ref').fill('E2E-REF-1');
  await page.locator('#referrer-name').fill('PC Test Example');
  await page.locator('#referrer-organisation').fill('Example Police');
  await page.locator('#referrer-role').fill('Constable');
  await page.locator('#referrer-email').fill('pc.example@police.example.org');
  await page.locator('#referrer-phone').fill('01632 960001');
  if (consent) {
    await page.locator(`input[name="consent-status"][value="${consent}"]`).check();
    if (reason) {
      await page.locator(consent === 'REFUSED' ? '#consent-reason-refused' : '#consent-reason-not-sought').fill(reason);
    }
  }
  await page.locator('#child-0-given-name').fill(child.given_name ?? 'Jamie');
  await page.locator('#child-0-family-name').fill(child.family_name ?? 'Testcase');
  await page.locator('#child-0-dob-day').fill(child.day ?? '4');
  await page.locator('#child-0-dob-month').fill(child.month ?? '5');
  await page.locator('#child-0-dob-year').fill(child.year ?? '2019');
  await page.locator('#child-0-nhs-number').fill(child.nhs_number ?? '9434765919');
  await page.locator('#child-0-postcode').fill(child.postcode ?? 'CH41 5LH');
  await page.locator(`input[name="child-0-sex"][value="${child.sex ?? 'M'}"]`).check();
  for (const code of concerns) await page.locator(`input[name="concerns"][value="${code}"]`).check();
  if (risk) await page.locator(`input[name="immediate-risk"][value="${risk}"]`).check();
  await page.locator('#narrative').fill('Synthetic test: police attended a domestic incident; the child was present.');
  await page.locator('#what-would-help').fill('Synthetic test: support for the non-abusing parent.');
}

// Continue to "Check your answers", then send: resolves with the new contact's id.
export async function sendContact(page) {
  await page.locator('#continue').click();
  await page.locator('#check-answers h2', { hasText: 'Check your answers' }).waitFor();
  await page.locator('#send-contact').click();
  await page.locator('#contact-id').waitFor();
  return page.locator('#contact-id').innerText();
}
