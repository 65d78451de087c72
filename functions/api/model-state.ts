/** The model state as the API shows it: the manifest's versions (each with its model and validation) and jobs. */
import type { JobRecord, Manifest, VersionInfo } from '../adapters/store-contract.js';
import { modelOfVersion } from '../adapters/version-model.js';
import { describeSpec } from '../engine/models/index.js';
import type { DatasetSummaryBody, JobBody } from './schemas.js';

export function modelState(dataset: string, manifest: Manifest | undefined) {
  return {
    dataset,
    activeVersion: manifest?.activeVersion || null,
    revision: manifest?.revision ?? 0,
    updatedAt: manifest?.updatedAt ?? null,
    versions: (manifest?.versions ?? []).map((info) => versionBody(info, manifest?.activeVersion)),
  };
}

function versionBody(info: VersionInfo, activeVersion: string | undefined) {
  return {
    version: info.version,
    active: info.version === activeVersion,
    createdAt: info.createdAt,
    jobId: info.jobId,
    source: info.source,
    stats: info.stats,
    options: { ...info.options } as Record<string, unknown>,
    model: modelBody(info),
    ...(info.validation ? { validation: info.validation } : {}),
    ...(info.reportKey ? { reportKey: info.reportKey } : {}),
    ...(info.catalogue ? { catalogue: info.catalogue } : {}),
    ...(info.sources ? { sources: info.sources } : {}),
    ...(info.erasures ? { erasures: info.erasures } : {}),
    ...(info.liveCutoff ? { liveCutoff: info.liveCutoff } : {}),
    ...(info.trending ? { trending: info.trending } : {}),
  };
}

/** One row of GET /v1/datasets: the active version's figures (as GET /v1/datasets/{dataset} has them), the last job. */
export function datasetSummary(
  dataset: string,
  manifest: Manifest | undefined,
  latestJob: JobRecord | undefined,
): DatasetSummaryBody {
  const active = manifest?.versions.find((v) => v.version === manifest.activeVersion);
  return {
    dataset,
    activeVersion: manifest?.activeVersion || null,
    versions: manifest?.versions.length ?? 0,
    stats: active ? { users: active.stats.users, items: active.stats.items, ratings: active.stats.ratings } : null,
    model: active ? modelBody(active).label : null,
    updatedAt: manifest?.updatedAt ?? null,
    lastJob: latestJob ? jobOutline(latestJob) : null,
  };
}

function jobOutline({ jobId, status, startedAt, updatedAt, finishedAt, error }: JobRecord) {
  return {
    jobId,
    status,
    startedAt,
    updatedAt,
    ...(finishedAt ? { finishedAt } : {}),
    ...(error
      ? {
          error: {
            message: error.message,
            ...(error.where ? { where: error.where } : {}),
            ...(error.hint ? { hint: error.hint } : {}),
          },
        }
      : {}),
  };
}

/** The version's model: its name, label and spec (versions stored before models were named: item-knn/user-knn). */
function modelBody(info: VersionInfo) {
  const spec = modelOfVersion(info);
  return { name: spec.model, label: describeSpec(spec), spec };
}

export function jobBody(job: JobRecord): JobBody {
  return { ...job };
}
