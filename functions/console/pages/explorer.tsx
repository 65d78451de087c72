/// <reference lib="dom" />
/**
 * `#/datasets/{d}/explore`: recommendations for a user id, or for an anonymous history composed from the
 * catalogue (popular and trending items, or any item id); each result with its explanation bars, and similar
 * items of any result. The form logic is in ../filter-form.ts (GET) and ../history-form.ts (POST).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, apiGet, apiSend, datasetPath } from '../api.js';
import { ErrorText } from '../components/dialog.js';
import { explanationBars, untitledBecauseIds, type BecauseEntry } from '../explanation.js';
import { recommendationsPath } from '../filter-form.js';
import { addToHistory, historyRequestBody, removeFromHistory, type HistoryPick } from '../history-form.js';

interface RecommendedItem {
  item: string;
  score: number;
  title?: string;
  categories?: string[];
  because?: BecauseEntry[];
}
interface RecommendationsBody {
  version: string;
  algorithm: string;
  model: string;
  fallback?: { reason: string; algorithm: string };
  historyUsed: number;
  items: RecommendedItem[];
}
interface SimilarBody {
  similar: { id: string; similarity: number; title?: string; terms?: string[] }[];
}
interface ListedItem {
  item: string;
  title?: string;
}

type Mode = 'user' | 'history';

function Bars({ because, titles }: { because: BecauseEntry[] | undefined; titles: ReadonlyMap<string, string> }) {
  const bars = explanationBars(because, titles);
  if (bars.length === 0) return null;
  return (
    <ul class="bars" aria-label="Why">
      {bars.map((bar, i) => (
        <li key={i} title={bar.detail}>
          {bar.widthPercent !== undefined && (
            <span class="bar" style={{ width: `${bar.widthPercent}%` }} aria-hidden="true" />
          )}
          <span>
            {bar.label} <span class="visually-hidden">({bar.detail})</span>
          </span>
        </li>
      ))}
    </ul>
  );
}

function CatalogueList({
  title,
  items,
  onAdd,
}: {
  title: string;
  items: ListedItem[] | string | undefined;
  onAdd: (pick: HistoryPick) => void;
}) {
  return (
    <div class="catalogue-list">
      <h3>{title}</h3>
      {typeof items === 'string' ? (
        <p class="muted">{items}</p>
      ) : !items ? (
        <p class="muted">Loading…</p>
      ) : (
        <ul>
          {items.map((entry) => (
            <li key={entry.item}>
              <button
                type="button"
                onClick={() => onAdd(entry)}
                aria-label={`Add ${entry.title ?? entry.item} to the history`}
              >
                Add
              </button>{' '}
              {entry.title ?? entry.item} <span class="muted">{entry.item}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function ExplorerPage({ dataset }: { dataset: string }) {
  const [mode, setMode] = useState<Mode>('user');
  const [userId, setUserId] = useState('');
  const [history, setHistory] = useState<HistoryPick[]>([]);
  const [itemId, setItemId] = useState('');
  const [algorithm, setAlgorithm] = useState<'item' | 'user'>('item');
  const [include, setInclude] = useState('');
  const [exclude, setExclude] = useState('');
  const [diversity, setDiversity] = useState(0);
  const [result, setResult] = useState<RecommendationsBody>();
  const [error, setError] = useState<string>();
  const [userHistory, setUserHistory] = useState<{ user: string; items: ListedItem[] | string; total?: number }>();
  const [similar, setSimilar] = useState<{ of: string; body: SimilarBody }>();
  const [similarTo, setSimilarTo] = useState('');
  const [popular, setPopular] = useState<ListedItem[] | string>();
  const [trending, setTrending] = useState<ListedItem[] | string>();
  const titles = useRef(new Map<string, string>());
  const [, setTitlesVersion] = useState(0);

  const remember = (entries: readonly ListedItem[]) => {
    for (const entry of entries) if (entry.title !== undefined) titles.current.set(entry.item, entry.title);
  };

  useEffect(() => {
    if (mode !== 'history' || popular !== undefined) return;
    apiGet<{ items: ListedItem[] }>(datasetPath(dataset, '/popular?limit=20&fields=title')).then(
      (body) => (remember(body.items), setPopular(body.items)),
      (e: Error) => setPopular(`Popular items unavailable: ${e.message}`),
    );
    apiGet<{ items: ListedItem[] }>(datasetPath(dataset, '/trending?limit=20&fields=title')).then(
      (body) => (remember(body.items), setTrending(body.items)),
      (e: Error) => setTrending(`Trending items unavailable: ${e.message}`),
    );
  }, [mode, dataset, popular]);

  /** Titles of the history items the explanations name, fetched once per id (one batch per result). */
  const fetchBecauseTitles = async (items: RecommendedItem[]) => {
    const missing = untitledBecauseIds(items, titles.current);
    if (missing.length === 0) return;
    const entries = await Promise.all(
      missing.map((id) =>
        apiGet<{ item: string; title?: string }>(datasetPath(dataset, `/items/${encodeURIComponent(id)}`)).catch(
          () => undefined,
        ),
      ),
    );
    // An id without a catalogue entry keeps showing its id; remember it as looked up (the id as its own title
    // would be wrong), so it is not fetched again.
    missing.forEach((id, i) => titles.current.set(id, entries[i]?.title ?? ''));
    setTitlesVersion((v) => v + 1);
  };

  /** Shows a result; the titles its explanations still lack are looked up once `titlesKnown` has settled. */
  const show = (body: RecommendationsBody, titlesKnown: Promise<void> = Promise.resolve()) => {
    remember(body.items);
    setResult(body);
    void titlesKnown.then(() => fetchBecauseTitles(body.items));
  };

  /** The user's history by title (settles, never rejects: a failure is shown in words). */
  const readUserHistory = (user: string): Promise<void> =>
    apiGet<{ history: ListedItem[]; total: number }>(
      datasetPath(dataset, `/users/${encodeURIComponent(user)}/history?limit=20&fields=title`),
    ).then(
      (body) => {
        remember(body.history);
        setUserHistory({ user, items: body.history, total: body.total });
      },
      (e: Error) =>
        setUserHistory({
          user,
          items:
            e instanceof ApiError && e.status === 404
              ? 'No history: the active version does not know this user and they sent no live events.'
              : `The user's history could not be read (${e.message}).`,
        }),
    );

  const filters = { algorithm, limit: 10, includeCategories: include, excludeCategories: exclude, diversity };
  const recommend = (event?: Event) => {
    event?.preventDefault();
    setError(undefined);
    if (mode === 'user') {
      const path = recommendationsPath(dataset, { ...filters, userId });
      if (!path.ok) return setError(path.error);
      const user = userId.trim();
      // The history's titles name most of the explanations' items: only the rest are looked up, once it answered.
      const historyRead = userHistory?.user === user ? Promise.resolve() : readUserHistory(user);
      apiGet<RecommendationsBody>(path.query).then(
        (body) => show(body, historyRead),
        (e: Error) => setError(e.message),
      );
    } else {
      const body = historyRequestBody({ ...filters, history });
      if (!body.ok) return setError(body.error);
      apiSend<RecommendationsBody>('POST', datasetPath(dataset, '/recommendations'), body.body).then(
        (answer) => show(answer),
        (e: Error) => setError(e.message),
      );
    }
  };

  const showSimilar = (item: string) =>
    apiGet<SimilarBody>(datasetPath(dataset, `/items/${encodeURIComponent(item)}/similar?limit=5&fields=title`)).then(
      (body) => setSimilar({ of: item, body }),
      (e: Error) => setError(e.message),
    );

  /** Adds an item to the anonymous history; an id typed in gets its catalogue title once looked up. */
  const addItem = (pick: HistoryPick) => {
    setHistory((current) => addToHistory(current, pick));
    const item = pick.item.trim();
    if (pick.title !== undefined || item === '' || titles.current.has(item)) return;
    apiGet<{ item: string; title?: string }>(datasetPath(dataset, `/items/${encodeURIComponent(item)}`)).then(
      (entry) => {
        titles.current.set(item, entry.title ?? '');
        const found = entry.title;
        if (found) setHistory((current) => current.map((e) => (e.item === item ? { ...e, title: found } : e)));
      },
      // No catalogue entry: the id is shown (and still sent; the API knows items without one).
      () => titles.current.set(item, ''),
    );
  };
  const title = (item: string) => titles.current.get(item) || undefined;
  return (
    <section>
      <h1>Explorer: {dataset}</h1>
      <div class="explorer-layout">
        <div class="explorer-controls">
          <form onSubmit={recommend} class="explorer">
            <fieldset class="mode">
              <legend>Recommend for</legend>
              <label>
                <input type="radio" name="mode" checked={mode === 'user'} onChange={() => setMode('user')} /> A user
              </label>
              <label>
                <input type="radio" name="mode" checked={mode === 'history'} onChange={() => setMode('history')} />{' '}
                Anonymous history
              </label>
            </fieldset>
            {mode === 'user' ? (
              <div class="field">
                <label for="user-id">User id</label>
                <input
                  id="user-id"
                  value={userId}
                  onInput={(e) => setUserId(e.currentTarget.value)}
                  autocomplete="off"
                />
              </div>
            ) : (
              <fieldset class="history">
                <legend>Anonymous history (most recent first)</legend>
                {history.length === 0 ? (
                  <p class="muted">No items yet: add some from the lists below or by id.</p>
                ) : (
                  <ol aria-label="History">
                    {history.map((entry) => (
                      <li key={entry.item}>
                        {entry.title ?? title(entry.item) ?? entry.item} <span class="muted">{entry.item}</span>{' '}
                        <button
                          type="button"
                          onClick={() => setHistory((current) => removeFromHistory(current, entry.item))}
                          aria-label={`Remove ${entry.title ?? entry.item} from the history`}
                        >
                          Remove
                        </button>
                      </li>
                    ))}
                  </ol>
                )}
                <div class="field inline">
                  <label for="item-id">Item id</label>
                  <input
                    id="item-id"
                    value={itemId}
                    onInput={(e) => setItemId(e.currentTarget.value)}
                    autocomplete="off"
                  />
                  <button
                    type="button"
                    onClick={() => {
                      addItem({ item: itemId, title: title(itemId.trim()) });
                      setItemId('');
                    }}
                    disabled={itemId.trim() === ''}
                  >
                    Add item
                  </button>
                </div>
                <div class="catalogue">
                  <CatalogueList title="Popular" items={popular} onAdd={addItem} />
                  <CatalogueList title="Trending" items={trending} onAdd={addItem} />
                </div>
              </fieldset>
            )}
            <div class="filters">
              <div class="field">
                <label for="algorithm">Algorithm</label>
                <select
                  id="algorithm"
                  value={algorithm}
                  onChange={(e) => setAlgorithm(e.currentTarget.value === 'user' ? 'user' : 'item')}
                >
                  <option value="item">the version's model (item-based)</option>
                  <option value="user">similar users (user-kNN)</option>
                </select>
              </div>
              <div class="field">
                <label for="include">Only categories</label>
                <input
                  id="include"
                  value={include}
                  onInput={(e) => setInclude(e.currentTarget.value)}
                  aria-describedby="categories-help"
                />
              </div>
              <div class="field">
                <label for="exclude">Not categories</label>
                <input
                  id="exclude"
                  value={exclude}
                  onInput={(e) => setExclude(e.currentTarget.value)}
                  aria-describedby="categories-help"
                />
              </div>
              <div class="field">
                <label for="diversity">Diversity</label>
                <input
                  id="diversity"
                  type="range"
                  min="0"
                  max="1"
                  step="0.1"
                  value={diversity}
                  aria-valuetext={diversity.toFixed(1)}
                  onInput={(e) => setDiversity(Number(e.currentTarget.value))}
                />
                <output for="diversity">{diversity.toFixed(1)}</output>
              </div>
            </div>
            <p id="categories-help" class="muted">
              Categories: comma-separated names, as in the catalogue.
            </p>
            <button type="submit">Recommend</button>
          </form>
          <form
            class="similar-form"
            onSubmit={(event) => {
              event.preventDefault();
              if (similarTo.trim() !== '') void showSimilar(similarTo.trim());
            }}
          >
            <label for="similar-to">Similar to item</label>
            <input
              id="similar-to"
              value={similarTo}
              onInput={(e) => setSimilarTo(e.currentTarget.value)}
              autocomplete="off"
            />
            <button type="submit" disabled={similarTo.trim() === ''}>
              Find similar
            </button>
          </form>
          <ErrorText error={error} />
          {mode === 'user' && userHistory && (
            <section aria-labelledby="user-history">
              <h2 id="user-history">
                History of {userHistory.user}
                {userHistory.total !== undefined &&
                Array.isArray(userHistory.items) &&
                userHistory.total > userHistory.items.length
                  ? ` (latest ${userHistory.items.length} of ${userHistory.total})`
                  : ''}
              </h2>
              {typeof userHistory.items === 'string' ? (
                <p class="muted">{userHistory.items}</p>
              ) : (
                <ul class="history-items">
                  {userHistory.items.map((entry) => (
                    <li key={entry.item}>
                      {entry.title ?? entry.item} <span class="muted">{entry.item}</span>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          )}
        </div>
        <div class="results">
          {result && (
            <section aria-labelledby="results">
              <h2 id="results">Recommendations</h2>
              <p class="muted">
                Version {result.version}, algorithm {result.algorithm}, model {result.model}
                {result.fallback
                  ? ` (fallback: ${result.fallback.reason}, answered by ${result.fallback.algorithm})`
                  : ''}
                .
              </p>
              <ol aria-label="Recommendations" class="items">
                {result.items.map((item) => (
                  <li key={item.item}>
                    <div class="item-head">
                      <strong>{item.title ?? item.item}</strong> <span class="muted">{item.item}</span>
                      {item.categories && item.categories.length > 0 && (
                        <span class="muted"> · {item.categories.join(', ')}</span>
                      )}{' '}
                      <span>score {item.score.toFixed(3)}</span>{' '}
                      <button type="button" onClick={() => showSimilar(item.item)}>
                        Similar items
                      </button>
                    </div>
                    <Bars because={item.because} titles={titles.current} />
                  </li>
                ))}
              </ol>
            </section>
          )}
          {similar && (
            <aside aria-label={`Items similar to ${similar.of}`}>
              <h2>Similar to {title(similar.of) ?? similar.of}</h2>
              <ol>
                {similar.body.similar.map((entry) => (
                  <li key={entry.id}>
                    {entry.title ?? entry.id} <span class="muted">{entry.id}</span> similarity{' '}
                    {entry.similarity.toFixed(3)}
                    {entry.terms && entry.terms.length > 0 ? `; shares: ${entry.terms.join(', ')}` : ''}
                  </li>
                ))}
              </ol>
            </aside>
          )}
        </div>
      </div>
    </section>
  );
}
