// Real, signed events submitted through the Spasm API, to give pages something to show.

import { Wallet } from 'ethers';

/** A seeded author: an Ethereum key of our own. */
export function author(index) {
  const key = '0x' + (index + 0x40).toString(16).padStart(2, '0').repeat(32);
  return new Wallet(key);
}

/** The signed form of a `SpasmEventBodyV2` built from `fields`, in the web client's key order. */
export async function signBody(wallet, fields) {
  const body = {
    type: 'SpasmEventBodyV2',
    action: fields.action,
    content: fields.content,
    ...(fields.title !== undefined ? { title: fields.title } : {}),
    ...(fields.parent ? { parent: { ids: [{ value: fields.parent }] } } : {}),
    ...(fields.category ? { categories: [{ name: fields.category }] } : {}),
    timestamp: fields.timestamp ?? Date.now(),
    license: 'SPDX-License-Identifier: CC0-1.0',
    protocol: { name: 'spasm', version: '2.0.0' },
    authors: [{ addresses: [{ value: wallet.address.toLowerCase(), format: { name: 'ethereum-pubkey' } }] }],
  };
  const signedString = JSON.stringify(body);
  return {
    type: 'SpasmEventBodySignedClosedV2',
    signedString,
    signature: await wallet.signMessage(signedString),
    signer: wallet.address.toLowerCase(),
  };
}

/** Submits an event; resolves with the stored event's spasmid. */
export async function submit(serverUrl, event) {
  const response = await fetch(`${serverUrl}/api/submit/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });
  const message = await response.json();
  if (response.status !== 201) throw new Error(`submit refused (${response.status}): ${message}`);
  const search = await fetch(`${serverUrl}/api/events?limit=1`);
  const [stored] = await search.json();
  return stored.ids[0].value;
}

/** Signs and submits; resolves with the spasmid. */
export async function publish(serverUrl, wallet, fields) {
  return submit(serverUrl, await signBody(wallet, fields));
}
