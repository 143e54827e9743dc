// What `ipvsadm lab --directors 2 --ha KIND` asks for, once its options are checked.

export type HaKind = 'vrrp' | 'ecmp';

export interface HaLabRequest {
  readonly ha: HaKind;
  readonly directors: number;
  readonly mode: 'dr' | 'nat';
  /** held connections through the VIP */
  readonly connections: number;
}
