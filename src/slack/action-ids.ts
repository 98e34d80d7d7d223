/**
 * Every id Slack sends back to us: button action ids, the modal's callback id and its input block ids. Listeners
 * and builders import them from here so a rename cannot leave one side behind. All are well under Slack's 255.
 */

export const SLASH_COMMAND = '/bootc-iso';

/** Button action ids on the status message and replies. Buttons carry the build id as `value`. */
export const ACTIONS = {
  cancel: 'bootc_iso_cancel',
  retry: 'bootc_iso_retry',
  freshLink: 'bootc_iso_fresh_link',
  /** A url button: Slack still sends a payload, so a no-op listener must ack it. */
  download: 'bootc_iso_download',
  /** A url button, like download. */
  openLog: 'bootc_iso_open_log',
  /** On a build awaiting approval; the value is the pending build's id. */
  approve: 'bootc_iso_approve',
  deny: 'bootc_iso_deny',
} as const;
export type ActionId = (typeof ACTIONS)[keyof typeof ACTIONS];

export const BUILD_MODAL_CALLBACK = 'bootc_iso_build';

/**
 * Input block ids of the build modal. Each input block holds one element whose action_id equals its block_id, so a
 * value is found at `view.state.values[id][id]`, and `response_action: 'errors'` is keyed by the same id.
 */
export const BLOCKS = {
  preset: 'bootc_iso_preset',
  image: 'bootc_iso_image',
  type: 'bootc_iso_type',
  payload: 'bootc_iso_payload',
  arch: 'bootc_iso_arch',
  users: 'bootc_iso_users',
  kickstart: 'bootc_iso_kickstart',
  kernelArgs: 'bootc_iso_kernel_args',
  volumeId: 'bootc_iso_volume_id',
  fips: 'bootc_iso_fips',
  rebuild: 'bootc_iso_rebuild',
  bootTest: 'bootc_iso_boot_test',
  containerfile: 'bootc_iso_containerfile',
} as const;
export type ModalBlock = keyof typeof BLOCKS;
export type ModalBlockId = (typeof BLOCKS)[ModalBlock];

/** The value of the single FIPS checkbox. */
export const FIPS_OPTION = 'fips';
/** The value of the single "rebuild anyway" checkbox. */
export const REBUILD_OPTION = 'rebuild';
/** The value of the single "boot test" checkbox. */
export const BOOT_TEST_OPTION = 'boot-test';
