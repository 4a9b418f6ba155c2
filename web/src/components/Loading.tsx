import { useSession } from '../session.tsx';

/** While a page or a list is on its way: said to screen readers too (a polite live region). */
export function Loading() {
  const { t } = useSession();
  return (
    <div className="loading" role="status" aria-live="polite" data-testid="loading">
      {t('loading')}
    </div>
  );
}
