import type { Kysely } from 'kysely';
import type { Clock } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { decide, type GameRegions, type RegionAction, type RegionDecision } from './policy.ts';

export interface RegionDecisionsTable {
  id: string;
  at: Date;
  user_id: string | null;
  game_id: string | null;
  action: string;
  residence: string | null;
  ip_country: string | null;
  outcome: 'refused' | 'warned';
  reason: string;
  message: string;
}
export interface RegionTables {
  region_decisions: RegionDecisionsTable;
}

export interface Actor {
  userId: string;
  /** Residence of whoever the action is about: the actor's, or the recipient's for 'receive'. */
  residence: string;
  ipCountry?: string;
}

/**
 * Where the region policy meets requests (R12): asks `decide`, writes every refusal and every warning to the
 * audit log (region_decisions), and turns a refusal into a 403 with the policy's reason code.
 */
export class RegionGate {
  constructor(
    private readonly db: Kysely<RegionTables>,
    private readonly clock: Clock,
  ) {}

  /** Decides and records; throws 403 `<reason>` when refused, returns the warning when there is one. */
  async check(
    action: RegionAction | 'change_residence',
    regions: GameRegions | undefined,
    who: Actor,
    gameId: string | null,
    decided?: RegionDecision,
  ): Promise<RegionDecision & { allowed: true }> {
    const d = decided ?? decide(action as RegionAction, regions!, { residence: who.residence, ipCountry: who.ipCountry });
    if (!d.allowed || d.warning) {
      await this.record({
        action,
        userId: who.userId,
        gameId,
        residence: who.residence,
        ipCountry: who.ipCountry,
        outcome: d.allowed ? 'warned' : 'refused',
        reason: d.allowed ? d.warning!.reason : d.reason,
        message: d.allowed ? d.warning!.message : d.message,
      });
    }
    if (!d.allowed) throw new AppError(403, d.reason, d.message, undefined, d.text);
    return d;
  }

  async record(e: {
    action: string;
    userId: string | null;
    gameId: string | null;
    residence?: string;
    ipCountry?: string;
    outcome: 'refused' | 'warned';
    reason: string;
    message: string;
  }): Promise<void> {
    await this.db
      .insertInto('region_decisions')
      .values({
        id: newId(),
        at: this.clock.now(),
        user_id: e.userId,
        game_id: e.gameId,
        action: e.action,
        residence: e.residence ?? null,
        ip_country: e.ipCountry ?? null,
        outcome: e.outcome,
        reason: e.reason,
        message: e.message,
      })
      .execute();
  }

  /** The audit log for operators, newest first. */
  async list(f: { gameId?: string; userId?: string; action?: string; outcome?: 'refused' | 'warned'; limit: number }) {
    let q = this.db.selectFrom('region_decisions').selectAll();
    if (f.gameId) q = q.where('game_id', '=', f.gameId);
    if (f.userId) q = q.where('user_id', '=', f.userId);
    if (f.action) q = q.where('action', '=', f.action);
    if (f.outcome) q = q.where('outcome', '=', f.outcome);
    const rows = await q.orderBy('at', 'desc').orderBy('id').limit(f.limit).execute();
    return rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      userId: r.user_id,
      gameId: r.game_id,
      action: r.action,
      residence: r.residence,
      ipCountry: r.ip_country,
      outcome: r.outcome,
      reason: r.reason,
      message: r.message,
    }));
  }
}
