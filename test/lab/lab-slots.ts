/**
 * The lab is cut into slots, so that lab test files can run side by side (scripts/test.sh runs
 * two at a time): each slot is six hosts, five that a test file's inventory uses and a spare
 * that is in no inventory at first (a machine added to an installation later). Slot 1 is
 * labhost1-5 with spare labhost6, slot 2 labhost7-11 with spare labhost12, and so on.
 */
export const SLOT_HOSTS = 5;
export const SLOT_SIZE = SLOT_HOSTS + 1;

/** How many slots the lab has: LAB_SLOTS (scripts/test.sh sets it), else one. */
export function labSlots(): number {
  const slots = Number(process.env.LAB_SLOTS ?? '1');
  return Number.isInteger(slots) && slots >= 1 ? slots : 1;
}

/** Hosts the lab must boot for its slots. */
export const labHostCount = (): number => SLOT_SIZE * labSlots();
