import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api.ts';
import { useSession } from '../session.tsx';

interface Suggestion {
  slug: string;
  title: string;
}

/**
 * The header's search box with type-ahead (R8): after a short pause in typing, titles that start with what was
 * typed (or have a word that does) are listed under it; arrows move through them, Enter opens the one chosen or
 * searches for the text, Escape closes the list. An ARIA combobox, so screen readers announce the choices.
 */
export function SearchBox() {
  const { t, country, language } = useSession();
  const navigate = useNavigate();
  const listId = useId();
  const [q, setQ] = useState('');
  const [items, setItems] = useState<Suggestion[]>([]);
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState(false);
  const typed = useRef('');

  useEffect(() => {
    const text = q.trim();
    typed.current = text;
    if (!text) {
      setItems([]);
      return;
    }
    const abort = new AbortController();
    const timer = setTimeout(() => {
      api<Suggestion[]>(`/api/games/suggest?q=${encodeURIComponent(text)}`, { signal: abort.signal })
        .then(({ data }) => {
          if (typed.current !== text) return;
          setItems(data);
          setActive(-1);
        })
        .catch(() => undefined); // type-ahead is a convenience: the search itself still works
    }, 120);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [q, country, language]);

  const go = (path: string) => {
    typed.current = ''; // a suggestion arriving late is for a search already made
    setOpen(false);
    setItems([]);
    void navigate(path);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const chosen = open ? items[active] : undefined;
    go(chosen ? `/games/${chosen.slug}` : `/search?q=${encodeURIComponent(q)}`);
  };
  const keys = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' && items.length) {
      e.preventDefault();
      setOpen(true);
      setActive((i) => (i + 1) % items.length);
    } else if (e.key === 'ArrowUp' && items.length) {
      e.preventDefault();
      setOpen(true);
      setActive((i) => (i <= 0 ? items.length - 1 : i - 1));
    } else if (e.key === 'Escape') {
      setOpen(false);
      setActive(-1);
    }
  };
  const shown = open && items.length > 0;

  return (
    <form className="searchbox" onSubmit={submit} role="search">
      <input
        role="combobox"
        aria-label={t('search')}
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls={listId}
        aria-activedescendant={shown && active >= 0 ? `${listId}-${active}` : undefined}
        placeholder={t('search')}
        value={q}
        autoComplete="off"
        onChange={(e) => {
          setQ(e.target.value);
          setOpen(true);
        }}
        onKeyDown={keys}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      <button type="submit">{t('searchButton')}</button>
      <ul id={listId} role="listbox" aria-label={t('suggestions')} className="suggestions" hidden={!shown}>
        {shown &&
          items.map((s, i) => (
            <li
              key={s.slug}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              onMouseDown={(e) => {
                e.preventDefault(); // keep the focus in the box until the page changes
                go(`/games/${s.slug}`);
              }}
            >
              {s.title}
            </li>
          ))}
      </ul>
    </form>
  );
}
