/**
 * One build of a dataset's current state, under a claimed job: list the prefix, read every interaction file
 * exactly, build, report, write the version, activate. ./run-build.ts decides when a build runs (claims, the
 * dataset's build lease, rebuilds for events that arrived meanwhile); this file is what one build does.
 *
 * Safety properties (each has a test; see also ./run-build.ts):
 * - The state, whole: every current interaction file (./dataset-sources.ts), read as listed; a file that changed
 *   between the listing and its read makes the build list again (at most {@link MAX_LISTINGS} times), so a
 *   version never mixes two states. The version's manifest entry records its files (key, ETag, version id, size,
 *   rows); its report in S3 lists every file with its counts.
 * - The event's own object: an event whose object is no longer current (replaced, or deleted and not re-uploaded,
 *   or re-uploaded after its deletion) builds nothing, 'superseded': the newer object's own event builds.
 * - Ordered: a version's `sourceOrder` is when its listing started; the manifest only moves to a later listing, so
 *   an older state never replaces a newer active model.
 * - Gated: with config.promotionGate, a version whose validation NDCG@10 falls more than the allowed share below
 *   the active model's (retrained on the same data) is kept but not activated; the job succeeds with
 *   `activated: false` and the gate's message (test/pipeline/model-choice.test.ts).
 * - Live events, each once (./live-fold.ts, test/pipeline/live-events.test.ts): folded into one more event file
 *   under the lease before the listing, every event file read as a source, `liveCutoff` and the weighting recorded;
 *   folded events past the dedupe window are deleted only after the version is activated.
 * - Atomic and fault-tolerant as before: rows under a new version, one conditional manifest flip, the half-written
 *   version deleted on failure; user mistakes fail the job (not retried), infrastructure failures are re-thrown.
 * - Erasure (./build-erasures.ts): erased users and taken-down items are excluded from the input, erasures that
 *   arrive during the build are applied to its version before it activates, tombstones every stored
 *   version excludes are pruned (test/pipeline/erasure.test.ts, test/pipeline/erasure-race.test.ts).
 */
import type { S3EventRecord } from 'aws-lambda';
import { reportKey, uploadKey } from '../adapters/bucket-layout.js';
import { writeJsonObject } from '../adapters/s3-objects.js';
import {
  JobLeaseLostError,
  type JobError,
  type JobRecord,
  type ModelSource,
  type SourceRecord,
  type VersionInfo,
  type VersionWriter,
} from '../adapters/store-contract.js';
import { DataQualityError } from '../engine/ingest/index.js';
import { buildModel, similarityOptionsOf, type BuiltModel, type ModelConfig } from '../engine/pipeline.js';
import { UserInputError } from '../engine/types.js';
import { capCounters, describeError, saveFailureReport, summarise } from './build-report.js';
import {
  listDatasetState,
  openSources,
  SourceChangedError,
  stateDigest,
  versionSources,
  type DatasetState,
} from './dataset-sources.js';
import { loadConfig } from './load-config.js';
import { activeModelOf, heldBackByGate, summariseValidation } from './validation-summary.js';
import type { JobLease } from './job-lease.js';
import {
  catalogueReportFor,
  publishCatalogue,
  readCatalogue,
  summariseCatalogue,
  type LoadedCatalogue,
} from './catalogue.js';
import { publishModel } from './publish-model.js';
import { publishTrending } from './trending.js';
import { BuildErasures } from './build-erasures.js';
import { idHashKeyFor, userIdOptions } from './pseudonymized-build.js';
import { parseUploadKey } from './upload-key.js';
import * as liveFold from './live-fold.js';
import { checkEventObject, eventObjectError, UploadSupersededError } from './read-upload.js';
import type { BuildDeps, BuildOutcome } from './run-build.js';

/** Listings per build when files keep changing under it (each change has its own event, which builds again). */
export const MAX_LISTINGS = 3;

/** One claimed attempt at building the dataset's state. */
export interface StateAttempt {
  deps: BuildDeps;
  now: () => Date;
  dataset: string;
  bucket: string;
  jobId: string;
  /** The event that started the build (for the rebuild of a burst: the newest queued event). */
  source: ModelSource;
  /** Checked against the listing: the event's object must still be current (the holder's own event only). */
  event?: S3EventRecord;
  /** The decoded key of `event`. */
  key: string;
  started: Date;
  version: string;
  /** The job record this claim replaced: a failed or interrupted attempt of the same upload. */
  previous?: JobRecord;
  job: JobLease;
  /** Throws unless the dataset's build lease is still this build's (renewing it): fences the live-event file write. */
  fence: () => Promise<void>;
}

export async function buildDatasetState(attempt: StateAttempt): Promise<BuildOutcome> {
  const { deps, now, dataset, bucket, key, jobId, started, version, job } = attempt;
  const log = { dataset, jobId, version, key, attempt: job.holder.attempt };
  let config: ModelConfig | undefined;
  let writer: VersionWriter | undefined;
  let activated = false;
  try {
    // A retry of an attempt that failed after activating its version (e.g. the final job write): that version
    // is serving, so only the job record is left to finish. Rebuilding would be superseded by it.
    const manifestBefore = await deps.store.getManifest(dataset);
    const earlier = manifestBefore?.versions.find((v) => v.jobId === jobId);
    if (earlier) {
      const gate = earlier.validation?.gate;
      const held = gate?.passed === false && earlier.version !== manifestBefore?.activeVersion;
      await job.finish({
        status: 'succeeded',
        version: earlier.version,
        reportKey: earlier.reportKey,
        ...(held ? { activated: false as const, message: gate.message } : {}),
      });
      deps.logger.info('retried build was already activated', { ...log, version: earlier.version });
      return { status: 'succeeded', dataset, jobId, version: earlier.version };
    }
    // Taking over from an attempt that died (or failed) part-way: its rows go before any of ours are written.
    const deadVersion = attempt.previous?.version;
    if (deadVersion && deadVersion !== version) {
      const { rowsDeleted } = await deps.store.deleteVersion(dataset, deadVersion);
      if (attempt.previous?.status === 'running' || rowsDeleted > 0)
        deps.logger.warn('took over the job of a build that stopped', { ...log, deadVersion, rowsDeleted });
    }

    config = await loadConfig(deps.s3, bucket, dataset);
    const idHashKey = await idHashKeyFor(config, deps.idHashKey, dataset);
    job.assertHeld();
    const { fold: live, settings: liveSettings } = await liveFold.foldForBuild(deps, attempt);
    const erasures = await BuildErasures.start(erasureDeps(deps, now), dataset);
    const read = await readState(
      attempt,
      config,
      manifestBefore?.versions.find((v) => v.version === manifestBefore.activeVersion),
      live,
      idHashKey,
      erasures,
    );
    if ('unchanged' in read) {
      const active = read.unchanged;
      const message =
        `The dataset's files and config are unchanged since version ${active.version} (job ${active.jobId}), which ` +
        'is active and includes this upload: nothing to build.';
      await job.finish({ status: 'succeeded', version: active.version, reportKey: active.reportKey, message });
      deps.logger.info('state unchanged since the active version; nothing built', { ...log, active: active.version });
      return { status: 'succeeded', dataset, jobId, version: active.version, unchanged: true };
    }
    const { built, state, records, catalogue } = read;
    job.assertHeld();
    const { model, report, timings, validation } = built;
    const catalogueReport = catalogue && catalogueReportFor(catalogue, model.matrix.items);
    (report.sources ?? []).forEach((file, k) => (records[k].rows = file.rowsRead));
    const sources = versionSources(records, state);
    const source: ModelSource = { ...attempt.source, sourceOrder: `${state.listedAt.toISOString()}#${jobId}` };

    const reportObjectKey = reportKey(dataset, version);
    await writeJsonObject(deps.s3, bucket, reportObjectKey, {
      dataset,
      version,
      jobId,
      source: { bucket, key },
      files: records,
      excluded: state.excluded,
      config,
      model: built.spec,
      ...(validation && { validation }),
      ...(built.evaluationSkipped && { evaluationSkipped: built.evaluationSkipped }),
      timings,
      report,
      ...(catalogueReport && { catalogue: catalogueReport }),
    });

    const writeStart = performance.now();
    writer = deps.store.createVersionWriter(dataset, version);
    const rows = await publishModel(model, writer, {
      models: model.models,
      onProgress: (done, total) => {
        job.assertHeld(); // a build that lost its job stops writing rows
        job.report('write', done, total);
      },
    });
    const trending = await publishTrending(model.matrix, config.trending, writer);
    if (catalogue) await publishCatalogue(catalogue, writer);
    const flushed = await writer.flush();
    timings.write = Math.round(performance.now() - writeStart) / 1000;

    const info: VersionInfo = {
      version,
      createdAt: started.toISOString(),
      jobId,
      source,
      sources,
      reportKey: reportObjectKey,
      stats: {
        users: model.matrix.users.size,
        items: model.matrix.items.size,
        ratings: report.ratings,
        itemRows: rows.itemRows,
        userRows: rows.userRows,
      },
      options: {
        similarity: similarityOptionsOf(config),
        models: model.models,
        versionsKept: config.versionsKept,
        model: built.spec,
        weighting: liveFold.versionWeighting(config),
        ...userIdOptions(config),
      },
      liveCutoff: live.cutoff,
      trending,
      ...(catalogue && { catalogue: catalogue.source }),
      ...(validation && { validation: summariseValidation(validation) }),
      ...erasures.versionInfo,
    };
    await erasures.beforeActivation(version, model.matrix);
    // Renewed right before activating: no take-over (which needs an expired lease) can be deleting these rows.
    await job.confirm();
    // The promotion gate: a version that scores too far below the active model is kept, not activated.
    const held = heldBackByGate(validation);
    const activation = await deps.store.activateVersion(dataset, info, config.versionsKept, { activate: !held });
    activated = activation !== 'superseded'; // kept or active, its rows are the manifest's now
    if (activated) await erasures.afterActivation(version);
    const summary = {
      ...summarise(report),
      excludedFiles: state.excluded.length,
      ...(built.evaluationSkipped && { evaluationSkipped: built.evaluationSkipped }),
      ...(catalogueReport && { catalogue: summariseCatalogue(catalogueReport) }),
      liveEvents: { files: live.files.length, folded: live.folded, cutoff: live.cutoff },
    };
    if (activation === 'superseded') {
      await deps.store.deleteVersion(dataset, version);
      await job.finish({
        status: 'superseded',
        message: 'A model of a later state of this dataset was already active; this version was not activated.',
        timings,
        report: summary,
        reportKey: reportObjectKey,
        ...(validation && { validation }),
      });
      deps.logger.warn('state superseded by a newer model; not activated', log);
      return { status: 'superseded', dataset, jobId, version };
    }
    // Housekeeping: the new version serves already, so a failed prune must not fail (and retry) the build. The
    // version this build retired is spared until the next build: a reader may still be on it.
    const retired = manifestBefore?.activeVersion;
    const pruned = await deps.store
      .pruneVersions(dataset, retired ? [version, retired] : [version])
      .catch((error: unknown) => {
        deps.logger.warn('could not delete the rows of retired versions', { ...log, error: String(error) });
        return { rowsDeleted: 0 };
      });
    const tombstonesPruned = await erasures.pruneTombstones();
    const liveDeleted =
      activation === 'activated'
        ? await liveFold.deleteFolded(deps.store, dataset, live, now(), liveSettings, deps.logger)
        : 0;
    timings.total = Math.round(now().getTime() - started.getTime()) / 1000;
    await job.finish({
      status: 'succeeded',
      timings,
      reportKey: reportObjectKey,
      ...(validation && { validation }),
      ...(activation === 'kept' && { activated: false as const, message: validation!.gate!.message }),
      report: {
        ...summary,
        rowsWritten: flushed.rowsWritten,
        ...capCounters(flushed),
        oldRowsDeleted: pruned.rowsDeleted,
        erasures: erasures.summary(tombstonesPruned),
        liveEvents: { ...summary.liveEvents, deleted: liveDeleted },
      },
    });
    deps.logger.info(
      activation === 'kept' ? 'model version kept, not activated (promotion gate)' : 'model version activated',
      {
        ...log,
        timings,
        ratings: report.ratings,
        files: sources.files,
        model: built.spec.model,
      },
    );
    return { status: 'succeeded', dataset, jobId, version };
  } catch (error) {
    await job.stop();
    if (writer && !activated) {
      // Writes still in flight would land after the deletion and outlive it, unreachable: let them settle first.
      await writer.flush().catch(() => undefined);
      await deps.store.deleteVersion(dataset, version).catch((cleanup: unknown) => {
        deps.logger.warn('could not delete the failed version rows', { ...log, cleanup: String(cleanup) });
      });
    }
    if (error instanceof UploadSupersededError) {
      await job.finish({ status: 'superseded', message: error.message });
      deps.logger.warn('upload superseded before it was read; nothing built', { ...log, reason: error.message });
      return { status: 'superseded', dataset, jobId, version };
    }
    if (error instanceof JobLeaseLostError) {
      deps.logger.warn('build stopped: its job was taken over', { ...log, error: error.message, activated });
      return { status: 'taken-over', dataset, jobId, version };
    }
    const jobError: JobError = describeError(error);
    deps.logger.error('build failed', {
      ...log,
      error: jobError,
      ...(error instanceof UserInputError ? {} : { stack: (error as Error)?.stack }),
    });
    const quality = error instanceof DataQualityError ? error.report : undefined;
    const failedReport =
      error instanceof UserInputError
        ? await saveFailureReport(deps, {
            bucket,
            dataset,
            version,
            jobId,
            key,
            config,
            error: jobError,
            report: quality,
          })
        : undefined;
    const failure = { status: 'failed' as const, error: jobError, reportKey: failedReport };
    await job.finish(quality ? { ...failure, report: summarise(quality) } : failure).catch((finishError: unknown) => {
      if (!(finishError instanceof JobLeaseLostError)) throw finishError;
      deps.logger.warn('job taken over before its failure was recorded', { ...log, error: finishError.message });
    });
    if (!(error instanceof UserInputError)) throw error;
    return { status: 'failed', dataset, jobId, version, error: jobError };
  }
}

/** Lists and reads the state; lists again when a file changed under the build (see the header). */
async function readState(
  attempt: StateAttempt,
  config: ModelConfig,
  active: VersionInfo | undefined,
  live: liveFold.LiveFold,
  idHashKey: Uint8Array | undefined,
  erasures: BuildErasures,
): Promise<
  | { built: BuiltModel; state: DatasetState; records: SourceRecord[]; catalogue: LoadedCatalogue | undefined }
  | { unchanged: VersionInfo }
> {
  const { deps, now, dataset, bucket, job } = attempt;
  for (let listing = 1; ; listing++) {
    const state = liveFold.withLiveEventFiles(await listDatasetState(deps.s3, bucket, dataset, now), live.files);
    const pinned = checkEventObject(attempt.event, attempt.key, state);
    if (active?.sources && active.sources.digest === stateDigest(state) && erasures.covers(active))
      return { unchanged: active };
    if (state.interactions.length === 0) {
      const prefix = uploadKey(dataset, '');
      throw new UserInputError(
        `${prefix} holds no interaction files${state.catalogue ? ` (only the catalogue ${state.catalogue.key})` : ''}: nothing to build`,
        prefix,
        `Upload interaction files (user, item[, rating[, timestamp]]) under ${prefix}, e.g. ${prefix}interactions/2026-12-01.csv.gz.`,
      );
    }
    // The catalogue objects the state's listing saw (the state's digest covers them): no second listing. Read before
    // the interactions: content and hybrid models are built from it, and it names the items nobody interacted with.
    const catalogueObjects = [...state.all.values()].filter((object) => {
      const target = parseUploadKey(object.key);
      return target.kind === 'catalogue' && target.dataset === dataset;
    });
    const catalogue = erasures.catalogue(
      await readCatalogue(deps.s3, bucket, dataset, config, deps.limits, catalogueObjects),
    );
    const opened = openSources(deps.s3, bucket, state, pinned);
    const { records } = opened;
    const sources = liveFold.liveEventSources(opened.sources, live.files, config, deps.logger);
    const totalBytes = records.reduce((sum, r) => sum + r.size, 0);
    job.report('download', 0, totalBytes);
    try {
      const built = await buildModel(sources, {
        config,
        // The dataset's prefix labels the whole; each file's problems are reported under its own key.
        fileName: uploadKey(dataset, ''),
        threads: deps.threads,
        totalBytes,
        deploymentLimits: deps.limits,
        activeModel: activeModelOf(active),
        ...(catalogue ? { catalogue: catalogue.entries } : {}),
        exclude: erasures.exclusion,
        ...(idHashKey ? { idHashKey } : {}),
        onProgress: (phase, done, total) => job.report(phase, done, total),
      });
      return { built, state, records, catalogue };
    } catch (error) {
      if (!(error instanceof SourceChangedError)) throw error;
      // The event's own object: as when it was the only file (./read-upload.ts): superseded, or deleted.
      if (attempt.event && error.key === attempt.key)
        throw eventObjectError(error.cause, error.key, attempt.event.s3.object.versionId);
      if (listing >= MAX_LISTINGS)
        throw new Error(
          `files under ${uploadKey(dataset, '')} kept changing during ${MAX_LISTINGS} reads: ${error.message}`,
          { cause: error },
        );
      deps.logger.info('a file changed during the build; listing the dataset again', { dataset, error: error.message });
    }
  }
}

function erasureDeps(deps: StateAttempt['deps'], now: () => Date) {
  return { store: deps.store, idHashKey: deps.idHashKey, marginMs: deps.erasureMarginMs, logger: deps.logger, now };
}
